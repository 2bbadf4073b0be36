import Testing

@testable import RecordExports

/// Choosing a format from an `Accept` header.
@Suite struct AcceptTests {
    @Test(arguments: [
        (nil, ExportFormat.Choice.native), ("", .native), ("application/json", .native), ("*/*", .native), ("application/*", .native),
        ("application/x-bibtex", .format(.bibtex)), ("text/html, application/ld+json;q=0.9, */*;q=0.1", .format(.schemaOrg)),
        ("application/vnd.datacite.datacite+xml;q=0.5, application/json", .native), ("text/html", .unacceptable),
        ("application/x-bibtex;q=0", .unacceptable), ("Application/X-DC+XML", .format(.dublinCore)),
        ("application/vnd.citationstyles.csl+json; charset=utf-8", .format(.csl)), ("application/citeproc+json", .format(.csl)),
        ("application/vnd.schemaorg.ld+json", .format(.schemaOrg)), ("application/x-bibtex, application/x-dc+xml", .format(.bibtex)),
        ("application/x-dc+xml;q=0.8, application/x-bibtex;q=0.8", .format(.dublinCore)),
        ("application/json;q=0, */*", .format(.dataCiteJSON)), ("application/json;q=0, application/*;q=0.5", .format(.dataCiteJSON)),
        ("*/*;q=0.1, application/x-bibtex;q=0.2", .format(.bibtex)), ("application/x-bibtex;q=2", .native),
        ("application/x-bibtex;q=abc, text/html", .unacceptable), ("garbage", .native), (",,", .native),
        ("application/vnd.datacite.datacite+json ; q=0.9 , text/plain", .format(.dataCiteJSON)),
    ])
    func acceptChoosesAFormat(accept: String?, expected: ExportFormat.Choice) {
        #expect(ExportFormat.choose(accept: accept) == expected)
    }
}

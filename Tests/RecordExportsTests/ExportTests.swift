import Foundation
import JSONSchema
import Testing

@testable import RecordExports

/// The exports of records: the mapping's decisions, and every format of varied records through outside parsers and
/// schemas (scripts/pid-oracles.sh: DataCite's JSON Schema 4.5, citeproc-py, pybtex, rdflib, oai_dc.xsd).
@Suite struct ExportTests {
    static func record(_ metadata: String, id: Int64 = 12, doi: String? = "10.5072/vellum.12", files: Int = 2) throws -> ExportRecord {
        ExportRecord(
            id: id, conceptID: id - 1, doi: doi, conceptDOI: doi.map { _ in "10.5072/vellum.\(id - 1)" },
            url: "https://data.example.org/records/\(id)", publisher: "Example Data", metadata: try JSON(parsing: metadata),
            created: Date(timeIntervalSince1970: 1_700_000_000), versionIndex: 1,
            files: (0..<files).map {
                ExportRecord.File(
                    key: "table \($0).csv", size: Int64(100 * ($0 + 1)), mimetype: "text/csv",
                    url: "https://data.example.org/files/b/table%20\($0).csv")
            })
    }

    static let full = #"""
        {"title": "Tide gauges of the North Sea", "creators": [{"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097",
        "affiliation": "Analytical Engines Ltd"}, {"name": "Royal Society"}], "publication_date": "2024-05-01",
        "resource_type": "dataset", "description": "Hourly heights.", "keywords": ["tides", "sea level"],
        "license": "CC-BY-4.0", "version": "1.0", "language": "eng",
        "related_identifiers": [{"identifier": "10.5072/x", "scheme": "doi", "relation": "IsSupplementTo"}]}
        """#

    @Test func dataCiteCarriesTheMetadata() throws {
        let json = Exports.dataCite(try Self.record(Self.full))
        #expect(json["types"]?["resourceTypeGeneral"] == .string("Dataset"))
        #expect(json["publicationYear"] == .string("2024"))
        let creator = json["creators"]?[0]
        #expect(creator?["familyName"] == .string("Lovelace") && creator?["givenName"] == .string("Ada"))
        #expect(creator?["nameType"] == .string("Personal"))
        #expect(creator?["nameIdentifiers"]?[0]?["nameIdentifier"] == .string("0000-0002-1825-0097"))
        #expect(json["creators"]?[1]?["nameType"] == nil)
        #expect(json["rightsList"]?[0]?["rightsIdentifier"] == .string("cc-by-4.0"))
        let relations = json["relatedIdentifiers"]?.arrayValue?.compactMap { $0["relationType"]?.stringValue }
        #expect(Set(relations ?? []) == ["IsSupplementTo", "IsVersionOf"])
    }

    /// Metadata of another schema: what cannot be read is left out, and what DataCite requires is still there.
    @Test func oddMetadataStillExports() throws {
        let record = try Self.record(
            #"{"title": 3, "creators": "nobody", "publication_date": "2024-02-30", "keywords": [1, ""]}"#, doi: nil, files: 0)
        let json = Exports.dataCite(record)
        #expect(json["titles"]?[0]?["title"] == .string("Untitled"))
        #expect(json["creators"]?[0]?["name"] == .string("(:unav)"))
        #expect(json["publicationYear"] == .string("2023"))
        #expect(json["dates"] == nil && json["subjects"] == nil)
        for format in ExportFormat.allCases { #expect(!format.render(record).isEmpty) }
    }

    @Test func bibtexAndXMLEscape() throws {
        let record = try Self.record(
            #"{"title": "50% of {H_2O} & <salt> #1 ~ ^ \\", "creators": [{"name": "Ó Súilleabháin, Seán"}], "publication_date": "2020"}"#)
        let bibtex = ExportFormat.bibtex.render(record)
        #expect(bibtex.contains(##"title = {{50\% of \{H\_2O\} \& <salt> \#1 \textasciitilde{} \textasciicircum{} \textbackslash{}}}"##), "\(bibtex)")
        #expect(bibtex.contains("author = {Ó Súilleabháin, Seán}"))
        let xml = ExportFormat.dataCiteXML.render(record)
        #expect(xml.contains("<title>50% of {H_2O} &amp; &lt;salt&gt; #1 ~ ^ \\</title>"), "\(xml)")
    }

    @Test(arguments: [
        (nil, ExportFormat.Choice.native), ("application/json", .native), ("*/*", .native),
        ("application/x-bibtex", .format(.bibtex)), ("text/html, application/ld+json;q=0.9, */*;q=0.1", .format(.schemaOrg)),
        ("application/vnd.datacite.datacite+xml;q=0.5, application/json", .native), ("text/html", .unacceptable),
        ("application/x-bibtex;q=0", .unacceptable), ("Application/X-DC+XML", .format(.dublinCore)),
    ])
    func acceptChoosesAFormat(accept: String?, expected: ExportFormat.Choice) {
        #expect(ExportFormat.choose(accept: accept) == expected)
    }

    @Test func theCitationReadsAsOne() throws {
        #expect(
            Exports.citation(try Self.record(Self.full))
                == "Lovelace, A., & Royal Society (2024). Tide gauges of the North Sea (Version 1.0) [Dataset]. Example Data. https://doi.org/10.5072/vellum.12"
        )
    }

    /// Varied records (every resource type, organisations, Unicode, the characters XML and LaTeX escape, a long
    /// title, another schema's odd values, no DOI, a concept) in every format, read by scripts/exports_check.py.
    @Test func outsideReadersReadEveryFormat() async throws {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_PID_PYTHON"] else {
            Issue.record("VELLUM_PID_PYTHON is not set: run the suite with ./scripts/test.sh")
            return
        }
        let types = [
            "dataset", "software", "publication", "poster", "presentation", "image", "video", "audio", "workflow", "physicalobject", "other",
        ]
        var samples: [(String, ExportRecord)] = []
        for (n, type) in types.enumerated() {
            samples.append(
                (
                    "Type \(type)",
                    try Self.record(
                        #"{"title": "Type \#(type)", "creators": [{"name": "Roe, Rita"}], "publication_date": "2019-0\#(n % 9 + 1)", "resource_type": "\#(type)"}"#,
                        id: Int64(100 + n))
                ))
        }
        samples.append(("Tide gauges of the North Sea", try Self.record(Self.full)))
        samples.append(
            (
                "Royal Society minutes",
                try Self.record(
                    #"{"title": "Royal Society minutes", "creators": [{"name": "Royal Society"}, {"name": "CERN", "affiliation": "Geneva"}], "publication_date": "1665", "resource_type": "publication"}"#,
                    id: 200)
            ))
        samples.append(
            (
                "Données marégraphiques 東京湾 🌊 מדידות",
                try Self.record(
                    #"{"title": "Données marégraphiques 東京湾 🌊 מדידות", "creators": [{"name": "Ó Súilleabháin, Seán"}, {"name": "山田, 太郎"}], "publication_date": "2021-12-31", "resource_type": "dataset", "keywords": ["océan", "海"], "language": "fra"}"#,
                    id: 201)
            ))
        samples.append(
            (
                "Salt & <brine> 50% {H_2O} #1 $5 ~x^2 \\ \"q\" 'a'",
                try Self.record(
                    #"{"title": "Salt & <brine> 50% {H_2O} #1 $5 ~x^2 \\ \"q\" 'a'", "creators": [{"name": "O'Brien & Sons"}], "publication_date": "2022", "resource_type": "software", "description": "a < b & c > d; 100% {ok}\n\tnext line", "keywords": ["<k>", "&", "{x}"], "version": "2.0_beta#1", "license": "MIT"}"#,
                    id: 202)
            ))
        let long = String(repeating: "Sediment cores ", count: 300).trimmingCharacters(in: .whitespaces)
        samples.append(
            (
                long,
                try Self.record(
                    #"{"title": "\#(long)", "creators": [{"name": "Lee, Kim"}], "publication_date": "2023-07", "resource_type": "dataset"}"#, id: 203)
            ))
        samples.append(
            (
                "Untitled",
                try Self.record(
                    #"{"title": 3, "creators": "nobody", "publication_date": "2024-02-30", "keywords": [1, ""], "resource_type": "novel"}"#, id: 204,
                    doi: nil, files: 0)
            ))
        samples.append(
            (
                "No DOI yet",
                try Self.record(
                    #"{"title": "No DOI yet", "creators": [{"name": "Poe, Ed", "orcid": "0000-0002-1825-0097"}], "publication_date": "2020-01-01", "resource_type": "image"}"#,
                    id: 205, doi: nil)
            ))
        var concept = try Self.record(Self.full, id: 206)
        concept.isConcept = true
        samples.append(("Tide gauges of the North Sea", concept))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-exports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let extensions: [ExportFormat: String] = [
            .dataCiteJSON: "datacite.json", .dataCiteXML: "datacite.xml", .schemaOrg: "jsonld", .csl: "csl.json", .bibtex: "bib",
            .dublinCore: "dc.xml",
        ]
        for (n, (title, record)) in samples.enumerated() {
            try title.write(to: dir.appendingPathComponent("r\(n).title"), atomically: true, encoding: .utf8)
            for format in ExportFormat.allCases {
                try format.render(record).write(to: dir.appendingPathComponent("r\(n).\(extensions[format]!)"), atomically: true, encoding: .utf8)
            }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/exports_check.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, dir.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.components(separatedBy: "\nok ").count - 1 + (output.hasPrefix("ok ") ? 1 : 0) == samples.count * 6, "\(output)")
    }
}

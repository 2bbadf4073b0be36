import Foundation
import Testing

/// PIDs on a real daemon with a DOI prefix (api.md §8): recids reserved with drafts and registered on publish, DOIs
/// minted, the resolver's answers for every kind of PID, tombstones, redirects, and odd values.
@Suite struct PIDTests {
    static let environment = ["VELLUM_DOI_PREFIX": "10.5072"]

    /// A published record of `token`'s (`extra` members beside the metadata); returns its JSON.
    static func published(_ server: TestServer, _ token: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
        let draft = try await RecordLifecycleTests.draft(server, token, extra)
        let id = RecordLifecycleTests.id(draft)
        #expect(
            try await server.request(.PUT, "/files/\(RecordLifecycleTests.bucket(draft))/data.csv", token: token, body: Array("a\n".utf8))
                .status == 200)
        let reply = try await server.request(.POST, "/records/\(id)/publish", token: token)
        #expect(reply.status == 200, "\(reply.text)")
        return try reply.json()
    }

    /// Where a resolver path leads: its status and `Location`.
    static func resolve(_ server: TestServer, _ path: String, token: String? = nil) async throws -> (Int, String?) {
        let reply = try await server.request(.GET, path, token: token, followRedirects: false)
        return (reply.status, reply.header("Location"))
    }

    static func status(_ server: TestServer, _ scheme: String, _ value: String) async throws -> String? {
        try await server.sql("SELECT status FROM pids WHERE scheme = '\(scheme)' AND value = '\(value)'").first
    }

    @Test func theResolverAnswersForEveryKindOfPID() async throws {
        let server = try await TestServer(environment: Self.environment)
        let base = server.baseURL
        let alice = try await RecordLifecycleTests.token(server, "alice")
        // A draft's recids are reserved, and resolve to nothing, even for its owner.
        let draft = try await RecordLifecycleTests.draft(server, alice)
        let draftID = RecordLifecycleTests.id(draft)
        let concept = try #require((draft["versions"] as? [String: Any])?["parent_id"] as? String)
        #expect(try await Self.status(server, "recid", draftID) == "reserved")
        #expect(try await Self.status(server, "recid", concept) == "reserved")
        #expect(try await Self.resolve(server, "/pid/recid/\(draftID)", token: alice).0 == 404)
        #expect(try await Self.resolve(server, "/pid/recid/\(concept)", token: alice).0 == 404)

        // Published: registered recids, DOIs minted for the version and the concept.
        #expect(
            try await server.request(.PUT, "/files/\(RecordLifecycleTests.bucket(draft))/a.csv", token: alice, body: [1]).status == 200)
        let first = try await server.request(.POST, "/records/\(draftID)/publish", token: alice).json()
        let pids = try #require(first["pids"] as? [String: [String: String]])
        #expect(pids["doi"] == ["identifier": "10.5072/vellum.\(draftID)", "provider": "datacite", "status": "reserved"])
        #expect(pids["concept_doi"]?["identifier"] == "10.5072/vellum.\(concept)")
        #expect(try await Self.status(server, "recid", draftID) == "registered")
        #expect(try await Self.status(server, "recid", concept) == "registered")
        for path in [
            "/pid/recid/\(draftID)", "/pid/doi/10.5072/vellum.\(draftID)", "/doi/10.5072/vellum.\(draftID)", "/doi/10.5072/VELLUM.\(draftID)",
            "/pid/recid/\(concept)", "/doi/10.5072/vellum.\(concept)",
        ] {
            #expect(try await Self.resolve(server, path) == (302, "\(base)/records/\(draftID)"), "\(path)")
        }

        // A new version: the concept's PIDs follow the latest, the first version's stay.
        let v2 = try await server.request(.POST, "/records/\(draftID)/versions", token: alice).json()
        let secondID = RecordLifecycleTests.id(v2)
        #expect(try await Self.resolve(server, "/pid/recid/\(secondID)", token: alice).0 == 404)
        #expect(try await server.request(.POST, "/records/\(secondID)/publish", token: alice).status == 200)
        #expect(try await Self.resolve(server, "/pid/recid/\(concept)") == (302, "\(base)/records/\(secondID)"))
        #expect(try await Self.resolve(server, "/doi/10.5072/vellum.\(concept)") == (302, "\(base)/records/\(secondID)"))
        #expect(try await Self.resolve(server, "/pid/recid/\(draftID)") == (302, "\(base)/records/\(draftID)"))

        // A restricted record resolves for its owner only.
        let bob = try await RecordLifecycleTests.token(server, "bob")
        let hidden = RecordLifecycleTests.id(try await Self.published(server, bob, ["access": ["record": "restricted", "files": "restricted"]]))
        #expect(try await Self.resolve(server, "/pid/recid/\(hidden)").0 == 404)
        #expect(try await Self.resolve(server, "/doi/10.5072/vellum.\(hidden)", token: alice).0 == 404)
        #expect(try await Self.resolve(server, "/pid/recid/\(hidden)", token: bob) == (302, "\(base)/records/\(hidden)"))

        // Removed: 410 with the tombstone, for everyone, by every PID; the concept goes back to the version left.
        let removal = try await server.request(
            .DELETE, "/records/\(secondID)", body: Array(#"{"reason": "Duplicate of an earlier upload."}"#.utf8))
        #expect(removal.status == 204, "\(removal.text)")
        for path in ["/pid/recid/\(secondID)", "/doi/10.5072/vellum.\(secondID)", "/records/\(secondID)"] {
            let gone = try await server.request(.GET, path, token: nil, followRedirects: false)
            #expect(gone.status == 410, "\(path): \(gone.text)")
            let tombstone = try #require(try gone.json()["tombstone"] as? [String: Any], "\(path): \(gone.text)")
            #expect(tombstone["reason"] as? String == "Duplicate of an earlier upload.")
            #expect(tombstone["removed_at"] as? String != nil)
            #expect((tombstone["citation"] as? String)?.contains("Tide gauges of the North Sea") == true, "\(tombstone)")
        }
        #expect(try await Self.status(server, "recid", secondID) == "deleted")
        #expect(try await Self.status(server, "doi", "10.5072/vellum.\(secondID)") == "deleted")
        #expect(try await Self.resolve(server, "/pid/recid/\(concept)") == (302, "\(base)/records/\(draftID)"))

        // A deleted draft's recid is deleted, never given again, and unknown to the resolver.
        let dropped = RecordLifecycleTests.id(try await RecordLifecycleTests.draft(server, alice))
        #expect(try await server.request(.DELETE, "/records/\(dropped)", token: alice).status == 204)
        #expect(try await Self.status(server, "recid", dropped) == "deleted")
        #expect(try await Self.resolve(server, "/pid/recid/\(dropped)", token: alice).0 == 404)

        // Redirected (two records merged): 301 to the PID kept; only a registered PID may be redirected.
        let redirect = try await server.cliStatus(["pid", "redirect", "recid:\(hidden)", "recid:\(draftID)"])
        #expect(redirect.status == 0, "\(redirect.output)")
        #expect(try await Self.resolve(server, "/pid/recid/\(hidden)") == (301, "\(base)/pid/recid/\(draftID)"))
        #expect(try await server.cliStatus(["pid", "redirect", "recid:\(dropped)", "recid:\(draftID)"]).status != 0)

        // Unknown PIDs and schemes.
        for path in ["/pid/recid/999999", "/pid/recid/abc", "/pid/ark/1", "/doi/10.5072/nothing", "/pid/doi/", "/doi/"] {
            let reply = try await server.request(.GET, path, token: nil, followRedirects: false)
            #expect(reply.status == 404, "\(path): \(reply.status)")
            #expect(try reply.json()["status"] as? Int == 404)
        }
    }

    /// `GET /pids?status=` lists the DOIs DataCite has not taken, for admins.
    @Test func theDOIsWaitingAreListedForAdmins() async throws {
        let server = try await TestServer(environment: Self.environment)
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let id = RecordLifecycleTests.id(try await Self.published(server, alice))
        // No DataCite is configured here: the DOIs wait, pending.
        let pending = try await server.request(.GET, "/pids?status=pending").json()
        let hits = try #require((pending["hits"] as? [String: Any])?["hits"] as? [[String: Any]])
        #expect(hits.contains { $0["identifier"] as? String == "10.5072/vellum.\(id)" && $0["status"] as? String == "pending" }, "\(hits)")
        #expect(try await server.request(.GET, "/pids?status=failed").status == 200)
        #expect(try await server.request(.GET, "/pids?status=pending", token: alice).status == 403)
        #expect(try await server.request(.GET, "/pids?status=pending", token: nil).status == 401)
        #expect(try await server.request(.GET, "/pids?status=lost").status == 400)
    }

    /// 2,000 odd PID values and DOIs through the resolver's three routes: slashes, percent-encoding (also of
    /// nothing valid), Unicode, control characters, very long values. Never a 5xx; never a redirect to anything
    /// but a record or a PID.
    @Test func oddValuesNeverGiveAServerError() async throws {
        let server = try await TestServer(environment: Self.environment)
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "10.5072", "/", "//", "vellum.", "1", "0", "-1", "99999999999999999999", "%2F", "%25", "%00", "%ZZ", "%", "%E2%80%8B",
            "%C3%28", "..", ".", "%2E%2E", "é", "漢字", "🙂", "\u{202E}", " ", "%20", "+", ";", ",", "(", ")", "'", "\"", "<", ">",
            "\\", "?", "#", "&", "=", "~", "doi:", "https://doi.org/", "DOI", "\u{7F}", "%0A", "%0D", "*", "|",
        ]
        var statuses: [Int: Int] = [:]
        for n in 0..<2000 {
            var value = (0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            if n % 100 == 0 { value = String(repeating: "10.5072/x", count: 1000 + n) }
            let encoded =
                value.addingPercentEncoding(withAllowedCharacters: CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#")))
                ?? "x"
            // Raw text as sent, where the URL allows it; percent-encoded where it must be.
            let sent = n % 2 == 0 && URL(string: server.baseURL + "/doi/" + value) != nil ? value : encoded
            let path = ["/pid/recid/", "/pid/doi/", "/doi/"][n % 3] + sent
            let reply = try await server.request(.GET, path, token: n % 4 == 0 ? nil : TestServer.adminToken, followRedirects: false)
            statuses[reply.status, default: 0] += 1
            #expect(reply.status < 500, "\(path): \(reply.status) \(reply.text)")
            #expect([301, 302, 400, 401, 404, 410, 414, 431].contains(reply.status), "\(path): \(reply.status)")
        }
        print("odd PIDs: statuses \(statuses.sorted { $0.key < $1.key })")
    }

    /// A download from a published record's bucket carries `collection` (the record) and `cite-as` (its DOI); a
    /// draft's does not.
    @Test func downloadsOfAPublishedRecordSignpostIt() async throws {
        let server = try await TestServer(environment: Self.environment)
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let record = try await Self.published(server, alice)
        let id = RecordLifecycleTests.id(record)
        let download = try await server.request(.GET, "/files/\(RecordLifecycleTests.bucket(record))/data.csv", token: nil)
        #expect(download.status == 200 && download.text == "a\n")
        let link = try #require(download.header("Link"))
        #expect(link.contains("<\(server.baseURL)/records/\(id)>; rel=\"collection\""), "\(link)")
        #expect(link.contains("<https://doi.org/10.5072/vellum.\(id)>; rel=\"cite-as\""), "\(link)")
        let draft = try await RecordLifecycleTests.draft(server, alice)
        let bucket = RecordLifecycleTests.bucket(draft)
        #expect(try await server.request(.PUT, "/files/\(bucket)/x.txt", token: alice, body: [1]).status == 200)
        let unpublished = try await server.request(.GET, "/files/\(bucket)/x.txt", token: alice)
        #expect(unpublished.status == 200 && unpublished.header("Link") == nil)
    }

    /// What PyPI's `signposting` (scripts/signposting_check.py) finds at a URL.
    static func signposting(_ arguments: [String]) async throws -> [String: Any] {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_PID_PYTHON"] else {
            throw TestError("VELLUM_PID_PYTHON is not set: run the suite with ./scripts/test.sh")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try await TestServer.execute(python, [root.appendingPathComponent("scripts/signposting_check.py").path] + arguments)
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw TestError("signposting_check.py \(arguments): \(result.status) \(result.output) \(result.errors)")
        }
        return object
    }

    /// A published record's signposts, read by PyPI's `signposting`: in its `Link` header with up to five files; in
    /// its linkset, with more.
    @Test func signpostsParseWithTheSignpostingLibrary() async throws {
        let server = try await TestServer(environment: Self.environment)
        let alice = try await RecordLifecycleTests.token(server, "alice")
        var metadata = RecordLifecycleTests.metadata
        metadata["license"] = "CC-BY-4.0"
        metadata["creators"] = [["name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"], ["name": "Babbage, Charles"]]
        for count in [2, 7] {
            let draft = try await server.request(.POST, "/records", token: alice, body: try RecordLifecycleTests.body(["metadata": metadata])).json()
            let id = RecordLifecycleTests.id(draft)
            let bucket = RecordLifecycleTests.bucket(draft)
            for n in 0..<count {
                let put = try await server.request(
                    .PUT, "/files/\(bucket)/table\(n).csv", token: alice, headers: [("Content-Type", "text/csv")], body: Array("a,b\n".utf8))
                #expect(put.status == 200)
            }
            #expect(try await server.request(.POST, "/records/\(id)/publish", token: alice).status == 200)
            let url = "\(server.baseURL)/records/\(id)"
            var found = try await Self.signposting([url])
            if count > 5 {
                // Too many items for a header: one link to the linkset, which has them all.
                #expect(found["items"] as? [[String?]] == [] && found["citeAs"] is NSNull)
                #expect((found["linksets"] as? [[String?]])?.first == ["\(url)/linkset", "application/linkset+json"], "\(found)")
                found = try await Self.signposting(["--linkset", "\(url)/linkset"])
                #expect(found["file_collection"] as? String == url, "\(found)")
            }
            #expect(found["citeAs"] as? String == "https://doi.org/10.5072/vellum.\(id)", "\(found)")
            #expect((found["describedBy"] as? [[String?]])?.contains([url, "application/json"]) == true, "\(found)")
            let items = found["items"] as? [[String?]] ?? []
            #expect(items.count == count && items.allSatisfy { $0.last == "text/csv" }, "\(found)")
            #expect(items.contains(["\(server.baseURL)/files/\(bucket)/table0.csv", "text/csv"]), "\(found)")
            #expect(found["license"] as? String == "https://spdx.org/licenses/CC-BY-4.0")
            #expect(found["types"] as? [String] == ["https://schema.org/AboutPage", "https://schema.org/Dataset"])
            #expect(found["authors"] as? [String] == ["https://orcid.org/0000-0002-1825-0097"])
        }
        // A draft has none, and no linkset.
        let draft = RecordLifecycleTests.id(try await RecordLifecycleTests.draft(server, alice))
        #expect(try await server.request(.GET, "/records/\(draft)", token: alice).header("Link") == nil)
        #expect(try await server.request(.GET, "/records/\(draft)/linkset", token: alice).status == 404)
    }

    /// `vellum pid status` lists the DOIs waiting (failed first) and shows a PID's history; `retry` makes failed
    /// ones pending again.
    @Test func theCommandLineShowsAndRetries() async throws {
        let server = try await TestServer(environment: Self.environment)
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let id = RecordLifecycleTests.id(try await Self.published(server, alice))
        let doi = "10.5072/vellum.\(id)"
        #expect(try await server.cli(["pid", "status"]).contains("\(doi)\tpending"))
        let history = try await server.cli(["pid", "status", "recid:\(id)"]).split(separator: "\n").map(String.init)
        #expect(history.first == "recid:\(id)\tregistered\trecord \(id)", "\(history)")
        #expect(history.dropFirst().map { $0.split(separator: "\t").dropFirst().first ?? "" } == ["reserved", "registered"], "\(history)")
        // A refusal, as the DOI worker saves it, then retried.
        _ = try await server.sql("UPDATE doi_tasks SET state = 'failed', last_error = 'titles: is required' WHERE doi = '\(doi)'")
        #expect(try await server.cli(["pid", "status"]).contains("\(doi)\tfailed\t0 attempts\ttitles: is required"))
        let failed = try await server.request(.GET, "/pids?status=failed").json()
        #expect(((failed["hits"] as? [String: Any])?["hits"] as? [[String: Any]])?.first?["last_error"] as? String == "titles: is required")
        #expect(try await server.request(.GET, "/records/\(id)").json()["pids"] as? [String: [String: String]] != nil)
        let record = try await server.request(.GET, "/records/\(id)").json()
        #expect((record["pids"] as? [String: [String: String]])?["doi"]?["status"] == "failed")
        #expect(try await server.cli(["pid", "retry"]).contains("1 DOIs to be sent again"))
        #expect(try await server.sql("SELECT state FROM doi_tasks WHERE doi = '\(doi)'") == ["pending"])
        #expect(try await server.cliStatus(["pid", "status", "ark:1"]).status != 0)
        #expect(try await server.cliStatus(["pid", "status", "recid:424242"]).status != 0)
    }

    /// Records made before the PID store get their recids when the database is migrated.
    @Test func recordsFromBeforePIDsGetTheirRecids() async throws {
        let server = try await TestServer()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let published = RecordLifecycleTests.id(try await Self.published(server, alice))
        let draft = RecordLifecycleTests.id(try await RecordLifecycleTests.draft(server, alice))
        // As a database of the step before: no PID rows, the records' schema module one step back.
        _ = try await server.sql("DROP TABLE doi_tasks")
        _ = try await server.sql("DROP TABLE pid_events")
        _ = try await server.sql("DROP TABLE pids")
        _ = try await server.sql("DROP INDEX records_bucket")
        _ = try await server.sql("DELETE FROM module_migrations WHERE module = 'records' AND version = 3")
        _ = try await server.stop()
        try await server.start()
        #expect(try await Self.status(server, "recid", published) == "registered")
        #expect(try await Self.status(server, "recid", draft) == "reserved")
        #expect(try await Self.resolve(server, "/pid/recid/\(published)") == (302, "\(server.baseURL)/records/\(published)"))
    }

    /// `GET /records/{id}` by content negotiation and `?format=` (api.md §8): every export with its media type, the
    /// record's JSON for `application/json` and `*/*`, 406 for what is not served, 400 for an unknown format.
    @Test func recordsAreServedInEveryExportFormat() async throws {
        let server = try await TestServer(environment: Self.environment)
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let id = RecordLifecycleTests.id(try await Self.published(server, alice))
        let doi = "10.5072/vellum.\(id)"
        let expected: [(String, String, String)] = [
            ("application/vnd.datacite.datacite+json", "datacite-json", #""doi":"\#(doi)""#),
            ("application/vnd.datacite.datacite+xml", "datacite-xml", #"<identifier identifierType="DOI">\#(doi)</identifier>"#),
            ("application/ld+json", "schemaorg", #""@id":"https://doi.org/\#(doi)""#),
            ("application/vnd.citationstyles.csl+json", "csl", #""DOI":"\#(doi)""#),
            ("application/x-bibtex", "bibtex", "@misc{vellum_\(id),"),
            ("application/x-dc+xml", "dublincore", "<dc:identifier>https://doi.org/\(doi)</dc:identifier>"),
        ]
        for (type, name, text) in expected {
            for reply in [
                try await server.request(.GET, "/records/\(id)", token: nil, headers: [("Accept", "text/html;q=0.9, \(type)")]),
                try await server.request(.GET, "/records/\(id)?format=\(name)", token: nil),
            ] {
                #expect(reply.status == 200 && reply.header("Content-Type") == "\(type); charset=utf-8", "\(type): \(reply.status)")
                #expect(reply.text.contains(text), "\(type): \(reply.text)")
                #expect(reply.header("Vary") == "Accept" && reply.header("Link")?.contains("rel=\"cite-as\"") == true)
            }
        }
        for accept in ["application/json", "*/*", "application/*"] {
            let reply = try await server.request(.GET, "/records/\(id)", token: nil, headers: [("Accept", accept)])
            #expect(reply.status == 200 && reply.header("Content-Type") == "application/json", "\(accept)")
        }
        let refused = try await server.request(.GET, "/records/\(id)", token: nil, headers: [("Accept", "text/html")])
        #expect(try refused.status == 406 && refused.json()["status"] as? Int == 406)
        #expect(try await server.request(.GET, "/records/\(id)?format=marc21", token: nil).status == 400)
        // Every format is a signpost of the record.
        let link = try await server.request(.GET, "/records/\(id)", token: nil).header("Link") ?? ""
        #expect(link.contains("<\(server.baseURL)/records/\(id)?format=bibtex>; rel=\"describedby\"; type=\"application/x-bibtex\""), "\(link)")
    }
}

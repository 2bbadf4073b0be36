import Foundation
import JSONSchema
import Testing
import VellumRecords

/// `/oai2d` (api.md §10) on a real daemon, read by outsiders: every answer validates against OAI-PMH.xsd with its
/// payloads' own schemas, and PyPI's sickle harvests (scripts/oai_check.py).
@Suite(.disabled(if: TestServer.onS3, "OAI-PMH reads only the database: the PostgreSQL pass runs it")) struct OAITests {
    static let namespace = "vellum.test"

    static func server() async throws -> TestServer {
        try await TestServer(environment: ["VELLUM_OAI_NAMESPACE": namespace])
    }

    /// scripts/oai_check.py's output, parsed (one JSON value per line).
    static func check(_ arguments: [String]) async throws -> [[String: Any]] {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_PID_PYTHON"] else {
            throw TestError("VELLUM_PID_PYTHON is not set: run the suite with ./scripts/test.sh")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try await TestServer.execute(python, [root.appendingPathComponent("scripts/oai_check.py").path] + arguments)
        #expect(result.status == 0, "\(result.output)\n\(result.errors)")
        return try result.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    static func identifier(_ id: String) -> String { "oai:\(namespace):\(id)" }

    /// The identifiers of a response's headers, each with whether it is deleted.
    static func headers(_ xml: String) -> [(id: String, deleted: Bool)] {
        xml.components(separatedBy: "<header").dropFirst().compactMap { part in
            guard let start = part.range(of: "<identifier>"), let end = part.range(of: "</identifier>") else { return nil }
            return (String(part[start.upperBound..<end.lowerBound]), part.hasPrefix(#" status="deleted""#))
        }
    }

    @Test func everyVerbAndEveryErrorValidates() async throws {
        let server = try await Self.server()
        let folder = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        /// Saves the answer to `query` as `name.expected.xml` (`expected`: the error code, or `ok`), checking HTTP.
        func save(_ name: String, _ query: String, _ expected: String = "ok", post: Bool = false) async throws -> String {
            let reply =
                post
                ? try await server.request(
                    .POST, "/oai2d", token: nil, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(query.utf8))
                : try await server.request(.GET, "/oai2d?" + query, token: nil)
            #expect(reply.status == 200, "\(query): \(reply.status)")
            #expect(reply.header("Content-Type")?.hasPrefix("text/xml") == true)
            try reply.text.write(toFile: "\(folder)/\(name).\(expected).xml", atomically: true, encoding: .utf8)
            return reply.text
        }

        // An empty repository: no sets, no records, but it identifies itself.
        _ = try await save("empty-identify", "verb=Identify")
        _ = try await save("empty-sets", "verb=ListSets", "noSetHierarchy")
        _ = try await save("empty-records", "verb=ListRecords&metadataPrefix=oai_dc", "noRecordsMatch")
        _ = try await save("empty-set", "verb=ListRecords&metadataPrefix=oai_dc&set=climate", "noSetHierarchy")

        let alice = try await RecordLifecycleTests.token(server, "alice")
        let ocean = try await SearchTests.publish(
            server, alice,
            SearchTests.record("Ocean temperatures & <salinity>", "2018-03", keywords: ["climate"], license: "CC-BY-4.0", description: "Buoys."))
        let model = try await SearchTests.publish(server, alice, SearchTests.record("Sea-level model", "2021", "software"))
        let hidden = try await SearchTests.publish(server, alice, SearchTests.record("Restricted data", "2019"), ["access": ["record": "restricted"]])
        let later = try await SearchTests.publish(
            server, alice, SearchTests.record("Embargoed data", "2019"), ["access": ["embargo": ["until": "2999-01-01", "reason": "thesis"]]])
        let removed = try await SearchTests.publish(server, alice, SearchTests.record("Withdrawn climate data", "2020", keywords: ["climate"]))
        #expect(try await server.cli(["oai", "set", "add", "climate", "Climate", "keywords:climate"]).contains("added"))
        #expect(try await server.cliStatus(["oai", "set", "add", "climate", "Again", "*"]).status == 65)
        #expect(try await server.cliStatus(["oai", "set", "add", "a:b", "Nested", "*"]).status == 65)
        #expect(try await server.cliStatus(["oai", "set", "add", "bad", "Bad query", "title:(x"]).status == 65)
        let deletion = try await server.request(.DELETE, "/records/\(removed)", body: Array(#"{"reason": "withdrawn"}"#.utf8))
        #expect(deletion.status == 204)

        let identify = try await save("identify", "verb=Identify")
        #expect(identify.contains("<deletedRecord>persistent</deletedRecord>"))
        #expect(identify.contains("<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"))
        #expect(try await save("formats", "verb=ListMetadataFormats").components(separatedBy: "<metadataFormat>").count == 4)
        _ = try await save("formats-of", "verb=ListMetadataFormats&identifier=\(Self.identifier(ocean))")
        let sets = try await save("sets", "verb=ListSets")
        for spec in ["resource_type", "resource_type:dataset", "resource_type:software", "climate"] {
            #expect(sets.contains("<setSpec>\(spec)</setSpec>"), "\(spec)")
        }
        for format in ["oai_dc", "datacite", "oai_datacite"] {
            let record = try await save("get-\(format)", "verb=GetRecord&metadataPrefix=\(format)&identifier=\(Self.identifier(ocean))")
            #expect(record.contains("Ocean temperatures &amp; &lt;salinity&gt;"), "\(format)")
            _ = try await save("list-\(format)", "verb=ListRecords&metadataPrefix=\(format)")
        }
        let dublinCore = try await save("get-dc", "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(Self.identifier(model))")
        for element in ["dc:title", "dc:creator", "dc:date", "dc:identifier"] { #expect(dublinCore.contains("<\(element)>"), "\(element)") }
        let gone = try await save("get-deleted", "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(Self.identifier(removed))")
        #expect(Self.headers(gone).map(\.deleted) == [true])
        #expect(!gone.contains("<metadata>"))

        // Public records and the removed one's deleted header; never the restricted or embargoed ones.
        let all = try await save("identifiers", "verb=ListIdentifiers&metadataPrefix=oai_dc")
        #expect(Self.headers(all).map(\.id) == [ocean, model, removed].map(Self.identifier))
        #expect(Self.headers(all).map(\.deleted) == [false, false, true])
        let posted = try await save("identifiers-post", "verb=ListIdentifiers&metadataPrefix=oai_dc", post: true)
        #expect(Self.headers(posted).map(\.id) == Self.headers(all).map(\.id))
        let climate = try await save("set-climate", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=climate")
        #expect(Self.headers(climate).map(\.id) == [ocean, removed].map(Self.identifier))
        let software = try await save("set-software", "verb=ListRecords&metadataPrefix=oai_dc&set=resource_type:software")
        #expect(Self.headers(software).map(\.id) == [Self.identifier(model)])
        let typed = try await save("set-types", "verb=ListIdentifiers&metadataPrefix=oai_dc&set=resource_type")
        #expect(Self.headers(typed).count == 3)
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let window = try await save("window", "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2000-01-01&until=\(today)")
        #expect(Self.headers(window).count == 3)
        _ = try await save("window-seconds", "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z")

        // Every error, with HTTP 200 and its code.
        let errors: [(String, String, String)] = [
            ("no-verb", "", "badVerb"), ("bad-verb", "verb=Explode", "badVerb"), ("two-verbs", "verb=Identify&verb=Identify", "badVerb"),
            ("repeated", "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
            ("unknown-argument", "verb=Identify&colour=blue", "badArgument"),
            ("missing-prefix", "verb=ListRecords", "badArgument"),
            ("missing-identifier", "verb=GetRecord&metadataPrefix=oai_dc", "badArgument"),
            ("token-and-more", "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x", "badArgument"),
            ("bad-date", "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30", "badArgument"),
            ("bad-time", "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00", "badArgument"),
            ("mixed-granularity", "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2025-01-01T00:00:00Z", "badArgument"),
            ("from-after-until", "verb=ListRecords&metadataPrefix=oai_dc&from=2025-01-01&until=2024-01-01", "badArgument"),
            ("bad-set", "verb=ListRecords&metadataPrefix=oai_dc&set=a%20b", "badArgument"),
            ("bad-encoding", "verb=Identify&x=%zz", "badArgument"),
            ("bad-prefix", "verb=ListRecords&metadataPrefix=oai%20dc", "badArgument"),
            ("bad-identifier", "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x:1%3Cb%3E%20", "badArgument"),
            ("bad-token", "verb=ListRecords&resumptionToken=forged.token", "badResumptionToken"),
            ("sets-token", "verb=ListSets&resumptionToken=x", "badResumptionToken"),
            ("bad-format", "verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("bad-format-get", "verb=GetRecord&metadataPrefix=marc21&identifier=\(Self.identifier(ocean))", "cannotDisseminateFormat"),
            ("unknown-id", "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:\(Self.namespace):999999", "idDoesNotExist"),
            ("restricted-id", "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(Self.identifier(hidden))", "idDoesNotExist"),
            ("embargoed-id", "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(Self.identifier(later))", "idDoesNotExist"),
            ("foreign-id", "verb=ListMetadataFormats&identifier=oai:elsewhere.org:\(ocean)", "idDoesNotExist"),
            ("nothing-then", "verb=ListRecords&metadataPrefix=oai_dc&until=2000-01-01", "noRecordsMatch"),
            ("unknown-set", "verb=ListRecords&metadataPrefix=oai_dc&set=nosuchset", "noRecordsMatch"),
        ]
        for (name, query, code) in errors {
            let text = try await save(name, query, code)
            #expect(text.contains(#"<error code="\#(code)">"#), "\(name): \(text)")
            // The request's arguments are echoed only when they were valid.
            #expect(text.contains(#"<request verb="#) == (code != "badVerb" && code != "badArgument"), "\(name)")
        }

        // The outside schemas: every file valid, and each the code its name says.
        let checked = try await Self.check(["validate", folder])
        #expect(checked.count > 40)
        for line in checked {
            let file = line["file"] as? String ?? "?"
            #expect(line["invalid"] == nil, "\(file): \(line["invalid"] ?? "")")
            let expected = file.split(separator: ".").dropLast().last.map(String.init)
            #expect((line["error"] as? String ?? "ok") == expected, "\(file)")
        }
        #expect(try await server.cli(["oai", "set", "list"]).contains("climate\tClimate\tkeywords:climate"))
        #expect(try await server.cli(["oai", "set", "remove", "climate"]).contains("removed"))
        #expect(try await server.cliStatus(["oai", "set", "remove", "climate"]).status == 66)
    }

    /// 5,000 records harvested by sickle, 100 a page, across a daemon restart and a pause of 2 minutes, while records
    /// are added, changed and removed: each record that existed throughout comes exactly once; then an incremental
    /// harvest from the harvest's start finds exactly what changed, the removals as deleted headers.
    @Test func sickleHarvestsThroughPausesRestartsAndChanges() async throws {
        let server = try await Self.server()
        let alice = try await RecordLifecycleTests.token(server, "alice")
        let template = try await SearchTests.publish(server, alice, SearchTests.record("Template", "2020"))
        let ids = try await Self.importCopies(of: template, count: 5_000, into: server)
        let base = server.baseURL + "/oai2d"

        let first = try await Self.check(["harvest", base, "ListRecords", "metadataPrefix=oai_dc", "--pages", "10"])[0]
        let token = try #require(first["token"] as? String)
        #expect((first["items"] as? [[Any]])?.count == 1_000)

        // After the first 1,000 (the template and 999 copies): changes on both sides of the harvest's position.
        let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.up))
        try await Task.sleep(for: .seconds(start.timeIntervalSinceNow + 0.05))
        let changed = [ids[10], ids[500], ids[2_000], ids[4_000]]
        for id in changed {
            let reply = try await server.request(
                .PUT, "/records/\(id)",
                body: try RecordLifecycleTests.body(["metadata": SearchTests.record("Changed \(id)", "2021"), "files": ["enabled": false]]))
            #expect(reply.status == 200, "\(reply.text)")
        }
        let removed = [ids[20], ids[3_000], ids[4_500]]
        for id in removed {
            #expect(try await server.request(.DELETE, "/records/\(id)", body: Array(#"{"reason": "test"}"#.utf8)).status == 204)
        }
        var added: [String] = []
        for n in 0..<3 { added.append(try await SearchTests.publish(server, alice, SearchTests.record("Added \(n)", "2022"))) }
        try await server.stop()
        try await server.start()

        let rest = try await Self.check(["harvest", base, "ListRecords", "resumptionToken=\(token)", "--pause-after", "5", "120"])[0]
        #expect(rest["error"] is NSNull && rest["token"] is NSNull, "\(rest["error"] ?? "")")
        let items = ((first["items"] as? [[Any]]) ?? []) + ((rest["items"] as? [[Any]]) ?? [])
        let seen = items.compactMap { $0[0] as? String }
        #expect(Set(seen).count == seen.count, "an item came twice")
        let live = Set(items.filter { ($0[2] as? Bool) == false }.compactMap { $0[0] as? String })
        let deleted = Set(items.filter { ($0[2] as? Bool) == true }.compactMap { $0[0] as? String })
        let throughout = ([template] + ids).filter { !removed.contains($0) }.map(Self.identifier)
        #expect(Set(throughout).isSubset(of: live), "\(Set(throughout).subtracting(live).count) records missing")
        // Removed before the harvest reached them: deleted headers; before: as they were.
        #expect(deleted == Set([ids[3_000], ids[4_500]].map(Self.identifier)))
        #expect(live.contains(Self.identifier(ids[20])))
        #expect(Set(added.map(Self.identifier)).isSubset(of: live))

        let stamp = ISO8601DateFormatter().string(from: start)
        let incremental = try await Self.check(["harvest", base, "ListIdentifiers", "metadataPrefix=oai_dc", "from=\(stamp)"])[0]
        let since = (incremental["items"] as? [[Any]]) ?? []
        #expect(Set(since.compactMap { $0[0] as? String }) == Set((changed + removed + added).map(Self.identifier)))
        #expect(Set(since.filter { ($0[2] as? Bool) == true }.compactMap { $0[0] as? String }) == Set(removed.map(Self.identifier)))
    }

    /// `count` published copies of the record `id` made with `vellum records import` (each its own id, concept,
    /// bucket and title, every fifth a software record); their ids, in order.
    static func importCopies(of id: String, count: Int, into server: TestServer) async throws -> [String] {
        let head = try #require(
            try await server.cli(["records", "export", "--heads"]).split(separator: "\n").map { try JSON(parsing: String($0)) }
                .first { $0["id"]?.stringValue == id })
        let first = Int64(id)! + 1_000
        var heads: [String] = []
        var revisions: [String] = []
        var ids: [String] = []
        for n in 0..<count {
            let record = first + Int64(2 * n)
            guard case .object(var document) = head["document"], case .object(var metadata) = document["metadata"] else {
                throw TestError("the template has no metadata")
            }
            metadata["title"] = .string("Harvested record \(n)")
            metadata["resource_type"] = .string(n % 5 == 0 ? "software" : "dataset")
            document["metadata"] = .object(metadata)
            guard case .object(var line) = head else { throw TestError("the template is not an object") }
            line["id"] = .string(String(record))
            line["concept_id"] = .string(String(record + 1))
            line["bucket"] = .string(UUID().uuidString.lowercased())
            line["revision_id"] = .number(1)
            line["document"] = .object(document)
            heads.append(JSON.object(line).serialized())
            revisions.append(
                JSON.object([
                    "id": .string(String(record)), "revision_id": .number(1), "created": line["created"] ?? .null, "actor": .null,
                    "hash": .string(RevisionChain.hash(after: nil, .object(document))), "document": .object(document),
                ]).serialized())
            ids.append(String(record))
        }
        let folder = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (heads + revisions).joined(separator: "\n").write(toFile: folder + "/records.jsonl", atomically: true, encoding: .utf8)
        #expect(try await server.cli(["records", "import", folder + "/records.jsonl"]).hasPrefix("\(count) imported"))
        return ids
    }
}

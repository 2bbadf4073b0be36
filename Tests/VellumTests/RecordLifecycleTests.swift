import Crypto
import Foundation
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Records over HTTP on a real daemon (SQLite, or PostgreSQL in its pass): the whole lifecycle, the one ETag rule,
/// who sees what, concurrent changes, and a kill during publishing (api.md §7).
@Suite struct RecordLifecycleTests {
    nonisolated(unsafe) static let metadata: [String: Any] = [
        "title": "Tide gauges of the North Sea", "creators": [["name": "Ada Lovelace"]], "publication_date": "2024-05-01",
        "resource_type": "dataset",
    ]

    static func body(_ object: Any) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: object)) }

    static func token(_ server: TestServer, _ name: String) async throws -> String {
        try await server.cli(["token", "create", "--name", name]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new draft of `token`'s with `metadata` (and `extra` members); returns its JSON.
    static func draft(_ server: TestServer, _ token: String, _ extra: [String: Any] = [:]) async throws -> [String: Any] {
        let reply = try await server.request(
            .POST, "/records", token: token, body: try body(extra.merging(["metadata": metadata]) { old, _ in old }))
        #expect(reply.status == 201, "\(reply.text)")
        return try reply.json()
    }

    static func id(_ record: [String: Any]) -> String { record["id"] as? String ?? "" }
    static func bucket(_ record: [String: Any]) -> String { (record["files"] as? [String: Any])?["bucket"] as? String ?? "" }

    @Test func theWholeLifecycle() async throws {
        let server = try await TestServer()
        let alice = try await Self.token(server, "alice")
        let draft = try await Self.draft(server, alice)
        let id = Self.id(draft)
        #expect(draft["status"] as? String == "draft" && draft["revision_id"] as? Int == 1)
        #expect(draft["errors"] == nil)
        // Publishing needs a file.
        let empty = try await server.request(.POST, "/records/\(id)/publish", token: alice)
        #expect(empty.status == 400 && empty.text.contains("/files"))
        let bucket = Self.bucket(draft)
        #expect(try await server.request(.PUT, "/files/\(bucket)/tides.csv", token: alice, body: Array("t,h\n1,2\n".utf8)).status == 200)
        let published = try await server.request(.POST, "/records/\(id)/publish", token: alice, headers: [("If-Match", "\"1\"")])
        #expect(published.status == 200, "\(published.text)")
        #expect(published.header("ETag") == "\"2\"")
        let record = try published.json()
        #expect(record["status"] as? String == "published")
        let files = try #require(record["files"] as? [String: Any])
        #expect(files["count"] as? Int == 1 && files["total_bytes"] as? Int == 8)
        #expect(((files["entries"] as? [[String: Any]])?.first?["key"]) as? String == "tides.csv")
        #expect((record["versions"] as? [String: Any])?["is_latest"] as? Bool == true)
        // The bucket is locked, and its files are public as the record's access says.
        #expect(try await server.request(.PUT, "/files/\(bucket)/more.csv", token: alice, body: [1]).status == 403)
        #expect(try await server.request(.GET, "/files/\(bucket)/tides.csv", token: nil).text == "t,h\n1,2\n")
        #expect(try await server.request(.GET, "/records/\(id)", token: nil).status == 200)
        // Publishing twice is a conflict.
        #expect(try await server.request(.POST, "/records/\(id)/publish", token: alice).status == 409)

        // Its metadata is edited (a new revision); an invalid edit of a published record is refused with its errors.
        let edit = try await server.request(
            .PATCH, "/records/\(id)", token: alice, headers: [("Content-Type", "application/merge-patch+json"), ("If-Match", "\"2\"")],
            body: Array(#"{"metadata": {"description": "Hourly heights."}}"#.utf8))
        #expect(edit.status == 200 && edit.header("ETag") == "\"3\"", "\(edit.text)")
        let invalid = try await server.request(
            .PATCH, "/records/\(id)", token: alice, headers: [("Content-Type", "application/merge-patch+json")],
            body: Array(#"{"metadata": {"creators": [], "publication_date": "May"}}"#.utf8))
        #expect(invalid.status == 400)
        let fields = try (invalid.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
        #expect(Set(fields) == ["/metadata/creators", "/metadata/publication_date"], "\(invalid.text)")

        // A new version: the same files, shared, in a bucket of its own; asking again gives the same draft.
        let sharing = "SELECT COUNT(*), COUNT(DISTINCT file_id) FROM object_versions WHERE file_id IS NOT NULL"
        let before = try await server.sql(sharing)
        let newVersion = try await server.request(.POST, "/records/\(id)/versions", token: alice)
        #expect(newVersion.status == 201, "\(newVersion.text)")
        let v2 = try newVersion.json()
        let v2id = Self.id(v2)
        #expect(v2id != id && Self.bucket(v2) != bucket)
        #expect((v2["versions"] as? [String: Any])?["index"] as? Int == 2)
        #expect((v2["metadata"] as? [String: Any])?["description"] as? String == "Hourly heights.")
        let again = try await server.request(.POST, "/records/\(id)/versions", token: alice)
        let againJSON = try again.json()
        #expect(again.status == 200 && Self.id(againJSON) == v2id)
        #expect(try await server.request(.GET, "/files/\(Self.bucket(v2))/tides.csv", token: alice).text == "t,h\n1,2\n")
        // One more version row, no new file: the bytes are shared.
        let shared = try await server.sql(sharing)
        #expect(before == ["1|1"] && shared == ["2|1"], "\(before) \(shared)")
        #expect(try await server.request(.PUT, "/files/\(Self.bucket(v2))/extra.txt", token: alice, body: Array("x".utf8)).status == 200)
        #expect(try await server.request(.POST, "/records/\(v2id)/publish", token: alice).status == 200)

        // The versions, newest first; the latest link follows the newest.
        let versions = try await server.request(.GET, "/records/\(id)/versions", token: nil).json()
        let hits = try #require((versions["hits"] as? [String: Any])?["hits"] as? [[String: Any]])
        #expect(hits.map(Self.id) == [v2id, id])
        #expect(hits.map { ($0["versions"] as? [String: Any])?["is_latest"] as? Bool } == [true, false])
        let latest = try await server.request(.GET, "/records/\(id)/versions/latest", token: nil, followRedirects: false)
        #expect(latest.status == 302 && latest.header("Location")?.hasSuffix("/records/\(v2id)") == true)

        // The revisions' hashes verify, computed here from the revisions' documents.
        let revisions = try #require(
            try JSONSerialization.jsonObject(with: Data(try await server.request(.GET, "/records/\(id)/revisions", token: nil).bytes))
                as? [[String: Any]])
        #expect(revisions.map { $0["revision_id"] as? Int } == [1, 2, 3])
        var previous = ""
        for revision in revisions {
            let n = revision["revision_id"] as? Int ?? 0
            let old = try await server.request(.GET, "/records/\(id)/revisions/\(n)", token: nil).json()
            let document: [String: Any] = [
                "metadata": old["metadata"] ?? [:], "$schema": old["$schema"] ?? "", "access": old["access"] ?? [:],
                "files": ["enabled": (old["files"] as? [String: Any])?["enabled"] ?? true],
            ]
            let canonical = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
            let hash = SHA256.hash(data: Data(previous.utf8) + canonical).map { String(format: "%02x", $0) }.joined()
            #expect(revision["hash"] as? String == hash, "revision \(n)")
            previous = hash
        }

        // An admin removes the newest version: a tombstone (410) with the reason; the first is the latest again.
        #expect(try await server.request(.DELETE, "/records/\(v2id)", token: alice, body: try Self.body(["reason": "x"])).status == 403)
        #expect(try await server.request(.DELETE, "/records/\(v2id)").status == 400)
        #expect(try await server.request(.DELETE, "/records/\(v2id)", body: try Self.body(["reason": "Wrong data"])).status == 204)
        let gone = try await server.request(.GET, "/records/\(v2id)", token: nil)
        #expect(gone.status == 410 && gone.text.contains("Wrong data"))
        #expect(try await server.request(.GET, "/files/\(Self.bucket(v2))/extra.txt", token: nil).status == 404)
        let after = try await server.request(.GET, "/records/\(id)", token: nil).json()
        #expect((after["versions"] as? [String: Any])?["is_latest"] as? Bool == true)
        let remaining = try await server.request(.GET, "/records/\(id)/versions", token: nil).json()
        #expect(((remaining["hits"] as? [String: Any])?["hits"] as? [[String: Any]])?.map(Self.id) == [id])
    }

    @Test func aDeletedDraftGoesWithItsBucketAndUnsharedBytes() async throws {
        let server = try await TestServer()
        let alice = try await Self.token(server, "alice")
        let draft = try await Self.draft(server, alice)
        let bucket = Self.bucket(draft)
        let before = try await server.storedBlobs().count
        #expect(try await server.request(.PUT, "/files/\(bucket)/a.bin", token: alice, body: Fixtures.bytes(1000)).status == 200)
        #expect(try await server.storedBlobs().count == before + 1)
        #expect(try await server.request(.DELETE, "/records/\(Self.id(draft))", token: alice).status == 204)
        #expect(try await server.request(.GET, "/records/\(Self.id(draft))", token: alice).status == 404)
        #expect(try await server.request(.GET, "/files/\(bucket)").status == 404)
        #expect(try await eventually { try await server.storedBlobs().count == before })
    }

    @Test func oneETagRuleOnEveryVerb() async throws {
        let server = try await TestServer()
        let alice = try await Self.token(server, "alice")
        let draft = try await Self.draft(server, alice)
        let id = Self.id(draft)
        #expect(try await server.request(.PUT, "/files/\(Self.bucket(draft))/f", token: alice, body: [1]).status == 200)
        let merge = [("Content-Type", "application/merge-patch+json")]
        let changes: [(String, HTTPMethod, String, [(String, String)], [UInt8])] = [
            ("PUT", .PUT, "/records/\(id)", [], try Self.body(["metadata": Self.metadata.merging(["version": "2"]) { $1 }])),
            ("PATCH", .PATCH, "/records/\(id)", merge, Array(#"{"metadata": {"version": "3"}}"#.utf8)),
            ("publish", .POST, "/records/\(id)/publish", [], []),
        ]
        var etag = "\"1\""
        for (name, method, path, headers, body) in changes {
            // A stale tag is refused and changes nothing; the tag the last response gave is accepted.
            let stale = try await server.request(method, path, token: alice, headers: headers + [("If-Match", "\"99\"")], body: body)
            #expect(stale.status == 412, "\(name): \(stale.text)")
            #expect(try await server.request(.GET, "/records/\(id)", token: alice).header("ETag") == etag, "\(name)")
            let fresh = try await server.request(method, path, token: alice, headers: headers + [("If-Match", etag)], body: body)
            #expect(fresh.status == 200, "\(name): \(fresh.text)")
            etag = fresh.header("ETag") ?? ""
        }
        #expect(etag == "\"4\"")
        // DELETE (an admin's removal) takes the same tag.
        let reason = try Self.body(["reason": "test"])
        #expect(try await server.request(.DELETE, "/records/\(id)", headers: [("If-Match", "\"3\"")], body: reason).status == 412)
        #expect(try await server.request(.DELETE, "/records/\(id)", headers: [("If-Match", etag)], body: reason).status == 204)
        // So does a draft's deletion.
        let other = try await Self.draft(server, alice)
        #expect(try await server.request(.DELETE, "/records/\(Self.id(other))", token: alice, headers: [("If-Match", "\"2\"")]).status == 412)
        #expect(try await server.request(.DELETE, "/records/\(Self.id(other))", token: alice, headers: [("If-Match", "\"1\"")]).status == 204)
    }

    @Test func whoSeesWhat() async throws {
        let server = try await TestServer()
        let alice = try await Self.token(server, "alice")
        let bob = try await Self.token(server, "bob")
        // Drafts are their owner's (and admins').
        let draft = try await Self.draft(server, alice)
        let id = Self.id(draft)
        #expect(try await server.request(.GET, "/records/\(id)", token: bob).status == 404)
        #expect(try await server.request(.GET, "/records/\(id)", token: nil).status == 404)
        #expect(try await server.request(.GET, "/records/\(id)").status == 200)
        #expect(try await server.request(.POST, "/records/\(id)/publish", token: bob).status == 404)

        // A restricted record: its owner only.
        let restricted = try await Self.draft(server, alice, ["access": ["record": "restricted"]])
        try await Self.publish(server, restricted, alice)
        #expect(try await server.request(.GET, "/records/\(Self.id(restricted))", token: bob).status == 404)
        #expect(try await server.request(.GET, "/records/\(Self.id(restricted))", token: alice).status == 200)
        #expect(try await server.request(.GET, "/files/\(Self.bucket(restricted))/data", token: nil).status == 404)

        // Restricted files: public metadata, files for the owner only.
        let closedFiles = try await Self.draft(server, alice, ["access": ["files": "restricted"]])
        try await Self.publish(server, closedFiles, alice)
        let seen = try await server.request(.GET, "/records/\(Self.id(closedFiles))", token: bob)
        #expect(seen.status == 200)
        #expect(((try seen.json()["files"] as? [String: Any])?["entries"] as? [Any])?.isEmpty == true)
        #expect(try await server.request(.GET, "/files/\(Self.bucket(closedFiles))/data", token: bob).status == 404)
        #expect(try await server.request(.GET, "/files/\(Self.bucket(closedFiles))/data", token: alice).status == 200)

        // An embargo keeps both closed until its day; once the day has come (made so here in the database), the
        // record opens as it is read and its files when the daemon next looks (here: on starting).
        let embargoed = try await Self.draft(server, alice, ["access": ["embargo": ["until": "2999-01-01", "reason": "thesis"]]])
        try await Self.publish(server, embargoed, alice)
        let eid = Self.id(embargoed)
        #expect(try await server.request(.GET, "/records/\(eid)", token: nil).status == 404)
        #expect(try await server.request(.GET, "/files/\(Self.bucket(embargoed))/data", token: nil).status == 404)
        _ = try await server.sql(
            "UPDATE records SET document = replace(document, '2999-01-01', '2000-01-01'), embargo_until = '2000-01-01' WHERE id = \(eid)")
        #expect(try await server.request(.GET, "/records/\(eid)", token: nil).status == 200)
        _ = try await server.stop()
        try await server.start()
        #expect(try await server.request(.GET, "/files/\(Self.bucket(embargoed))/data", token: nil).status == 200)
    }

    /// Puts a file `data` in the draft's bucket and publishes it.
    static func publish(_ server: TestServer, _ draft: [String: Any], _ token: String) async throws {
        #expect(try await server.request(.PUT, "/files/\(bucket(draft))/data", token: token, body: Array("d".utf8)).status == 200)
        let reply = try await server.request(.POST, "/records/\(id(draft))/publish", token: token)
        #expect(reply.status == 200, "\(reply.text)")
    }

    @Test func concurrentPatchesWithIfMatchHaveOneWinner() async throws {
        let server = try await TestServer()
        let draft = try await Self.draft(server, TestServer.adminToken)
        let id = Self.id(draft)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<8 {
                group.addTask {
                    try await server.request(
                        .PATCH, "/records/\(id)", headers: [("Content-Type", "application/json-patch+json"), ("If-Match", "\"1\"")],
                        body: Array(#"[{"op": "replace", "path": "/metadata/title", "value": "T\#(n)"}]"#.utf8)
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.sorted() == [200] + Array(repeating: 412, count: 7), "\(statuses)")
        let record = try await server.request(.GET, "/records/\(id)")
        #expect(record.header("ETag") == "\"2\"")
        #expect(((try record.json()["metadata"] as? [String: Any])?["title"] as? String)?.hasPrefix("T") == true)
    }

    @Test func killDuringPublishLeavesADraftOrAPublishedRecord() async throws {
        let server = try await TestServer(environment: ["VELLUM_DOI_PREFIX": "10.5072"])
        for round in 0..<6 {
            let draft = try await Self.draft(server, TestServer.adminToken)
            let id = Self.id(draft)
            for n in 0..<20 {
                #expect(try await server.request(.PUT, "/files/\(Self.bucket(draft))/f\(n)", body: [UInt8(n)]).status == 200)
            }
            let publishing = Task { try? await server.request(.POST, "/records/\(id)/publish") }
            try await Task.sleep(for: .microseconds(round * 1500))
            _ = try await server.stop(signal: SIGKILL)
            _ = await publishing.value
            try await server.start()
            let record = try await server.request(.GET, "/records/\(id)").json()
            // Its PIDs are as its state: a draft's recid reserved and no DOI; a published record's registered, its DOI
            // minted and waiting for DataCite.
            let recid = try await server.sql("SELECT status FROM pids WHERE scheme = 'recid' AND value = '\(id)'")
            let doi = try await server.sql("SELECT doi FROM doi_tasks WHERE doi = '10.5072/vellum.\(id)'")
            if record["status"] as? String == "draft" {
                #expect(recid == ["reserved"] && doi.isEmpty, "\(recid) \(doi)")
                #expect(try await server.request(.POST, "/records/\(id)/publish").status == 200)
            } else {
                #expect(record["status"] as? String == "published" && record["revision_id"] as? Int == 2)
                #expect(recid == ["registered"] && doi == ["10.5072/vellum.\(id)"], "\(recid) \(doi)")
            }
            // Either way it ends published, with its 20 files, a locked bucket and its DOI, and its history holds.
            let pids = try await server.request(.GET, "/records/\(id)").json()["pids"] as? [String: [String: String]]
            #expect(pids?["doi"]?["identifier"] == "10.5072/vellum.\(id)")
            let now = try await server.request(.GET, "/records/\(id)").json()
            #expect((now["files"] as? [String: Any])?["count"] as? Int == 20)
            #expect(try await server.request(.PUT, "/files/\(Self.bucket(draft))/late", body: [1]).status == 403)
            #expect(try await server.request(.GET, "/records/\(id)/revisions").status == 200)
        }
    }

    @Test func schemasAreRegisteredOnceAndNeverChange() async throws {
        let server = try await TestServer()
        let alice = try await Self.token(server, "alice")
        let schema = Array(#"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}"#.utf8)
        #expect(try await server.request(.PUT, "/schemas/lab/sample-v1.json", token: alice, body: schema).status == 403)
        #expect(try await server.request(.PUT, "/schemas/lab/sample-v1.json", body: schema).status == 201)
        #expect(try await server.request(.PUT, "/schemas/lab/sample-v1.json", body: schema).status == 200)
        #expect(try await server.request(.PUT, "/schemas/lab/sample-v1.json", body: Array(#"{"type": "object"}"#.utf8)).status == 409)
        #expect(try await server.request(.PUT, "/schemas/record-v1.0.0.json", body: schema).status == 409)
        #expect(try await server.request(.PUT, "/schemas/bad.json", body: Array(#"{"type": "#.utf8)).status == 400)
        #expect(try await server.request(.PUT, "/schemas/bad.json", body: Array(#"{"$ref": "local://missing.json"}"#.utf8)).status == 400)
        #expect(try await server.request(.PUT, "/schemas/..%2Fx.json", body: schema).status == 400)
        let read = try await server.request(.GET, "/schemas/lab/sample-v1.json", token: nil)
        let readJSON = try read.json()
        #expect(read.status == 200 && readJSON["required"] as? [String] == ["name"])
        // Records name it by $schema, either way; it validates their metadata.
        for name in ["local://lab/sample-v1.json", "\(server.baseURL)/schemas/lab/sample-v1.json"] {
            let record = try await server.request(.POST, "/records", token: alice, body: try Self.body(["$schema": name, "metadata": [:]]))
            #expect(record.status == 201)
            let errors = try (record.json()["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(errors == ["/metadata/name"] || errors == ["/metadata"], "\(record.text)")
        }
        let unknown = try await server.request(.POST, "/records", token: alice, body: try Self.body(["$schema": "local://nope.json"]))
        #expect(unknown.status == 400)
    }
}

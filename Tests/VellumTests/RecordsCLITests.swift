import Foundation
import Testing

/// `vellum records export` and `import`, and `vellum schema migrate`, against a daemon's database.
@Suite struct RecordsCLITests {
    @Test func exportWritesEveryRevisionOrEachHead() async throws {
        let server = try await TestServer()
        let first = try await server.request(.POST, "/records", body: Array(#"{"metadata": {"title": "One"}}"#.utf8))
        #expect(first.status == 201)
        let id = try #require(try first.json()["id"] as? String)
        #expect(try await server.request(.PUT, "/records/\(id)", body: Array(#"{"metadata": {"title": "Two"}}"#.utf8)).status == 200)
        #expect(try await server.request(.POST, "/records", body: Array(#"{"metadata": {"title": "Three"}}"#.utf8)).status == 201)

        let revisions = try await server.cli(["records", "export"]).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(revisions.count == 3)
        #expect(revisions.map { $0["id"] as? String }.prefix(2) == [id, id])
        #expect(revisions.map { $0["revision_id"] as? Int } == [1, 2, 1])
        #expect(((revisions[1]["document"] as? [String: Any])?["metadata"] as? [String: Any])?["title"] as? String == "Two")
        #expect(revisions.allSatisfy { ($0["hash"] as? String)?.count == 64 })

        let heads = try await server.cli(["records", "export", "--heads"]).split(separator: "\n")
        #expect(heads.count == 2 && heads[0].contains("\"revision_id\":2") && heads[0].contains("\"status\":\"draft\""))
        #expect(try await server.cli(["records", "export", "--since", "2999-01-01T00:00:00Z"]).isEmpty)
        #expect(try await server.cliStatus(["records", "export", "--since", "yesterday"]).status == 64)
        _ = try await server.stop()
    }

    @Test func importKeepsIdsAndHistoryInAnotherDeployment() async throws {
        let source = try await TestServer()
        let draft = try await source.request(.POST, "/records", body: try RecordLifecycleTests.body(["metadata": RecordLifecycleTests.metadata]))
        let id = try #require(try draft.json()["id"] as? String)
        let bucket = RecordLifecycleTests.bucket(try draft.json())
        #expect(try await source.request(.PUT, "/files/\(bucket)/a", body: [1]).status == 200)
        #expect(try await source.request(.POST, "/records/\(id)/publish").status == 200)
        let revisions = try await source.request(.GET, "/records/\(id)/revisions").text
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await source.cli(["records", "export", "--heads"]).write(toFile: dir + "/heads.jsonl", atomically: true, encoding: .utf8)
        try await source.cli(["records", "export"]).write(toFile: dir + "/revisions.jsonl", atomically: true, encoding: .utf8)

        let target = try await TestServer()
        let first = try await target.cliStatus(["records", "import", dir + "/heads.jsonl", dir + "/revisions.jsonl"])
        #expect(first.status == 0 && first.output.contains("1 imported, 0 already here, 0 refused"), "\(first.output)")
        // The same id, status and hash chain; the bucket is there, empty (files are not in an export) and locked.
        let record = try await target.request(.GET, "/records/\(id)", token: nil)
        let status = try record.json()["status"] as? String
        #expect(record.status == 200 && status == "published")
        #expect(try await target.request(.GET, "/records/\(id)/revisions").text == revisions)
        #expect(try await target.request(.PUT, "/files/\(bucket)/b", body: [1]).status == 403)
        // Again: nothing to do. New records here get ids never given there.
        #expect(try await target.cli(["records", "import", dir + "/heads.jsonl", dir + "/revisions.jsonl"]).contains("0 imported, 1 already here"))
        let next = try await target.request(.POST, "/records", body: Array("{}".utf8)).json()["id"] as? String
        #expect(Int(next ?? "0")! > Int(id)!)
        // A tampered history is refused.
        let tampered = try String(contentsOfFile: dir + "/revisions.jsonl", encoding: .utf8).replacingOccurrences(of: "Ada Lovelace", with: "Eve")
        try tampered.write(toFile: dir + "/tampered.jsonl", atomically: true, encoding: .utf8)
        let fresh = try await TestServer()
        let refused = try await fresh.cliStatus(["records", "import", dir + "/heads.jsonl", dir + "/tampered.jsonl"])
        #expect(refused.status == 1 && refused.output.contains("0 imported, 0 already here, 1 refused"))
    }

    @Test func schemaMigrationMovesEveryRecordOrNone() async throws {
        let server = try await TestServer()
        // v2 renames `title` to `name`.
        let v2 = #"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "title": false}}"#
        #expect(try await server.request(.PUT, "/schemas/lab-v2.json", body: Array(v2.utf8)).status == 201)
        var ids: [String] = []
        for title in ["One", "Two"] {
            let reply = try await server.request(.POST, "/records", body: try RecordLifecycleTests.body(["metadata": ["title": title]]))
            ids.append(try #require(try reply.json()["id"] as? String))
        }
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rename = #"[{"op": "move", "from": "/metadata/title", "path": "/metadata/name"}]"#
        try rename.write(toFile: dir + "/rename.json", atomically: true, encoding: .utf8)
        try #"[{"op": "add", "path": "/metadata/name", "value": 3}]"#.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let arguments = ["schema", "migrate", "--from", "record-v1.0.0.json", "--to", "lab-v2.json", "--patch"]
        // A patch that would leave values of the wrong type: every record listed, nothing changed.
        let refused = try await server.cliStatus(arguments + [dir + "/bad.json"])
        #expect(refused.status == 1 && refused.output.contains("\(ids[0]): cannot move: /metadata/name") && refused.output.contains("2 of 2"))
        let dry = try await server.cliStatus(arguments + [dir + "/rename.json", "--dry-run"])
        #expect(dry.status == 0 && dry.output.contains("2 records would move"))
        #expect(try await server.request(.GET, "/records/\(ids[0])").header("ETag") == "\"1\"")
        let moved = try await server.cliStatus(arguments + [dir + "/rename.json"])
        #expect(moved.status == 0 && moved.output.contains("2 records moved"), "\(moved.output)")
        let record = try await server.request(.GET, "/records/\(ids[1])")
        let json = try record.json()
        #expect(record.header("ETag") == "\"2\"" && json["$schema"] as? String == "local://lab-v2.json")
        #expect((json["metadata"] as? [String: Any])?["name"] as? String == "Two" && json["errors"] == nil)
        let revisions = try await server.request(.GET, "/records/\(ids[1])/revisions").text
        #expect(revisions.contains("schema-migrate"))
    }
}

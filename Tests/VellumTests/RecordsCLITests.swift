import Foundation
import Testing

/// `vellum records export` against a running daemon's database.
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
}

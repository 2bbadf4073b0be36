import Foundation
import Testing

/// The daemon's background workers as an administrator sees them: `GET /workers` (this daemon, live) and
/// `vellum worker list` (every daemon sharing the database, as each last recorded it).
@Suite struct WorkerTests {
    @Test func workersAreListedLiveAndFromTheDatabase() async throws {
        let server = try await TestServer()
        try await server.waitForPasses("pyramids", 1)  // every second: a pass shows in the live status
        let answer = try await server.request(.GET, "/workers")
        #expect(answer.status == 200)
        let json = try answer.json()
        let workers = try #require(json["workers"] as? [[String: Any]])
        #expect(json["total"] as? Int == workers.count)
        #expect(workers.compactMap { $0["name"] as? String } == ["embargo", "fixity", "maintenance", "previews", "pyramids", "search", "storage"])
        let pid = try #require(server.pid)
        for worker in workers {
            #expect((worker["daemon"] as? String)?.hasSuffix(":\(pid)") == true, "\(worker)")
            #expect(["idle", "working"].contains(worker["state"] as? String), "\(worker)")
            #expect((worker["interval_seconds"] as? Double ?? 0) >= 1, "\(worker)")
        }
        let pyramids = try #require(workers.first { $0["name"] as? String == "pyramids" })
        #expect((pyramids["passes"] as? Int ?? 0) >= 1 && pyramids["last_finished"] is String && pyramids["last_error"] is NSNull)
        #expect(workers.first { $0["name"] as? String == "storage" }?["interval_seconds"] as? Double == 30)
        #expect(try await server.request(.GET, "/workers", token: nil).status == 401)

        // The database has every worker of this daemon (recorded when it started, at the latest).
        let rows = try await server.cli(["worker", "list"]).split(separator: "\n").map {
            $0.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        #expect(rows.first == ["NAME", "DAEMON", "STATE", "PASSES", "ITEMS", "LAST FINISHED", "LAST ERROR"])
        let mine = rows.dropFirst().filter { $0.count > 1 && $0[1].hasSuffix(":\(pid)") }
        #expect(mine.map { $0[0] }.sorted() == ["embargo", "fixity", "maintenance", "previews", "pyramids", "search", "storage"], "\(rows)")

        // Stopped: each worker's last row says so.
        #expect(try await server.stop(signal: SIGTERM) == 0)
        let after = try await server.cli(["worker", "list"])
        let stopped = after.split(separator: "\n").filter { $0.contains(":\(pid)") && $0.contains("stopped") }
        #expect(stopped.count == 7, "\(after)")
    }
}

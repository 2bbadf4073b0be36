import Foundation
import Testing

@Suite struct TokenTests {
    /// A second daemon sharing the first's database (and data directory).
    func twin(of first: TestServer) async throws -> TestServer {
        let shared = ["VELLUM_DATABASE_URL", "VELLUM_DATA_DIR", "VELLUM_DEFAULT_LOCATION"]
        return try await TestServer(environment: first.vellumEnvironment.filter { shared.contains($0.key) })
    }

    func secret(_ server: TestServer, _ arguments: [String]) async throws -> String {
        try await server.cli(["token", "create"] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func revokedAndExpiredTokensAreRefusedByEveryDaemonAtOnce() async throws {
        let first = try await TestServer()
        let second = try await twin(of: first)
        let alice = try await secret(first, ["--name", "alice"])
        // 30 s: a loaded CI machine took over 10 s to get from here to the requests below.
        let brief = try await secret(first, ["--name", "brief", "--expires", "30s"])
        let expires = Date(timeIntervalSinceNow: 30)  // at the latest
        for server in [first, second] {
            #expect(try await server.request(.POST, "/files", token: brief).status == 200)
            #expect(try await server.request(.POST, "/files", token: alice).status == 200)
        }
        let bucket = try await first.createBucket(["public": true])
        #expect(try await first.request(.PUT, "/files/\(bucket)/k", body: [1, 2, 3]).status == 200)
        #expect(try await second.request(.GET, "/files/\(bucket)/k", token: alice).status == 200)
        try await first.cli(["token", "revoke", "alice"])
        for server in [second, first] {
            let refused = try await server.request(.POST, "/files", token: alice)
            #expect(refused.status == 401)
            #expect(refused.header("WWW-Authenticate") == "Bearer")
            #expect(try refused.json()["status"] as? Int == 401)
            // Downloads read their token with their object: refused at once too, and before any other error.
            for path in ["/files/\(bucket)/k", "/files/\(bucket)/a/../b", "/files/\(bucket)/k?versionId=x", "/files/nobucket/k"] {
                let download = try await server.request(.GET, path, token: alice)
                #expect(download.status == 401 && download.header("WWW-Authenticate") == "Bearer", "\(path): \(download.status)")
            }
        }
        try await Task.sleep(for: .seconds(max(0, expires.timeIntervalSinceNow + 0.2)))
        #expect(try await second.request(.POST, "/files", token: brief).status == 401)
        #expect(try await second.request(.POST, "/files").status == 200)  // the bootstrap token

        let list = try await first.cli(["token", "list"])
        // NAME, ADMIN, CREATED, EXPIRES, LAST USED, STATE
        let rows = list.split(separator: "\n").map {
            $0.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        #expect(rows.first == ["NAME", "ADMIN", "CREATED", "EXPIRES", "LAST USED", "STATE"])
        let byName = Dictionary(rows.dropFirst().map { ($0[0], $0) }) { first, _ in first }
        #expect(byName["alice"]?[5] == "revoked")
        #expect(byName["alice"]?[4] != "never")  // it was used
        #expect(byName["alice"]?[3] == "never")  // it had no expiry
        #expect(byName["brief"]?[5] == "expired")
        #expect(byName["bootstrap"]?[1] == "yes")
        #expect(byName["bootstrap"]?[5] == "active")
        #expect(!list.contains(alice) && !list.contains(brief) && !list.contains(TestServer.adminToken))
        // Names of tokens in use are unique; unknown names cannot be revoked.
        await #expect(throws: TestError.self) { try await first.cli(["token", "revoke", "alice"]) }
        _ = try await secret(first, ["--name", "alice"])  // the revoked one freed the name
        await #expect(throws: TestError.self) { try await first.cli(["token", "create", "--name", "alice"]) }
        await #expect(throws: TestError.self) { try await first.cli(["token", "create", "--name", "x", "--expires", "soon"]) }
    }

    @Test func shortBootstrapSecretsAreRefused() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try await TestServer.execute(
            try TestServer.binary(), ["serve"],
            environment: ["VELLUM_DATA_DIR": dir, "VELLUM_BOOTSTRAP_TOKEN": "abc", "VELLUM_PORT": String(try TestServer.freePort())])
        #expect(result.status != 0)
        #expect(result.errors.contains("VELLUM_BOOTSTRAP_TOKEN must be at least 16 characters"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/vellum.sqlite"))
    }
}

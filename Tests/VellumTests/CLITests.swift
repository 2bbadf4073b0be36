import Foundation
import Testing

@Suite struct CLITests {
    @Test func tokensAreUsableAndStoredOnlyAsHashes() async throws {
        let server = try await TestServer()
        let secret = try await server.cli(["token", "create", "--name", "ci-token-name"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("vlm_"))
        #expect(try await server.request(.POST, "/files", token: secret).status == 200)
        let database = try await server.databaseBytes()
        #expect(database.firstRange(of: Data("ci-token-name".utf8)) != nil)
        #expect(database.firstRange(of: Data(secret.utf8)) == nil)
    }

    @Test func locationsCanBeAddedWhileTheDaemonRuns() async throws {
        let server = try await TestServer()
        let archive = server.dataDir + "/archive"
        let added = try await server.cli(["location", "add", "archive", "file://\(archive)"])
        #expect(added.contains("archive"))
        let list = try await server.cli(["location", "list"])
        #expect(list.contains("default\t" + (server.s3 == nil ? "file://" : "s3://")))
        #expect(list.contains("archive\tfile://\(archive)"))
        let bucket = try await server.createBucket(["location": "archive"])
        #expect(try await server.request(.PUT, "/files/\(bucket)/x", body: [1, 2, 3]).status == 200)
        let files = FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? []
        #expect(files.contains { $0.split(separator: "/").count == 2 && !$0.hasPrefix(".tmp") })
        #expect(try await server.cli(["location", "default", "archive"]).contains("default location archive"))
        #expect(try await server.cli(["location", "list"]).contains("archive\tfile://\(archive)\tdefault"))
        #expect(try await server.request(.GET, "/files/\(try await server.createBucket())").json()["location"] as? String == "archive")
        await #expect(throws: TestError.self) { try await server.cli(["location", "default", "nowhere"]) }
        await #expect(throws: TestError.self) { try await server.cli(["location", "add", "Bad Name", "file:///tmp/x"]) }
        await #expect(throws: TestError.self) { try await server.cli(["location", "add", "rel", "file://relative"]) }
    }

    @Test func configurationLayers() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "data_dir = \"\(dir)/from-toml\"\n".write(toFile: dir + "/vellum.toml", atomically: true, encoding: .utf8)
        _ = try await TestServer.run(["location", "list"], environment: [:], directory: dir)
        #expect(FileManager.default.fileExists(atPath: dir + "/from-toml/vellum.sqlite"))
        _ = try await TestServer.run(["location", "list"], environment: ["VELLUM_DATA_DIR": dir + "/from-env"], directory: dir)
        #expect(FileManager.default.fileExists(atPath: dir + "/from-env/vellum.sqlite"))
        _ = try await TestServer.run(
            ["location", "list", "--data-dir", dir + "/from-flag"], environment: ["VELLUM_DATA_DIR": dir + "/from-env"],
            directory: dir)
        #expect(FileManager.default.fileExists(atPath: dir + "/from-flag/vellum.sqlite"))
    }

    /// `vellum db status` lists pending migration steps (exit status 1) until `vellum db migrate` applies them, on
    /// whichever database the suite runs against.
    @Test func databaseMigrateAndStatus() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var environment = ["VELLUM_DATA_DIR": dir]
        if TestServer.postgres != nil { environment["VELLUM_DATABASE_URL"] = try await TestServer.newPostgresDatabase().url }
        func vellum(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let run = try await TestServer.execute(try TestServer.binary(), arguments, environment: environment, directory: dir)
            return (run.status, run.output)
        }
        let before = try await vellum(["db", "status"])
        #expect(before.status == 1)
        #expect(before.output.contains("applied: none") && before.output.contains("pending: 1 2 3 4 5 6"))
        let migrated = try await vellum(["db", "migrate"])
        #expect(migrated.status == 0 && migrated.output.contains("schema at version 8 of 8"))
        let after = try await vellum(["db", "status"])
        #expect(after.status == 0 && after.output.contains("applied: 1 2 3 4 5 6") && after.output.contains("pending: none"))
    }
}

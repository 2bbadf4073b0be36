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

    /// A key the settings do not have, or a value they refuse, stops every command with an error that names it,
    /// from the file as from the environment; durations are read alike in both (`4d` or seconds).
    @Test func unknownAndMalformedSettingsAreNamed() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ toml: String, _ environment: [String: String] = [:]) async throws -> (status: Int32, errors: String) {
            try toml.write(toFile: dir + "/vellum.toml", atomically: true, encoding: .utf8)
            let run = try await TestServer.execute(
                try TestServer.binary(), ["location", "list"], environment: environment.merging(["VELLUM_DATA_DIR": dir]) { $1 }, directory: dir)
            return (run.status, run.errors)
        }
        let unknown = try await run("prot = 5001\n")
        #expect(unknown.status != 0 && unknown.errors.contains("Unknown setting 'prot' in vellum.toml"), "\(unknown.errors)")
        // The error lists every setting: each is documented in docs/configuration.md.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let documentation = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let keys =
            unknown.errors.components(separatedBy: "the settings are: ").last?.split(separator: ".").first?
            .components(separatedBy: ", ") ?? []
        #expect(keys.count > 30)
        for key in keys { #expect(documentation.contains("| `\(key)` |"), "\(key) is not in docs/configuration.md") }
        let port = try await run("port = 70000\n")
        #expect(port.status != 0 && port.errors.contains("port must be a port number, not '70000'"), "\(port.errors)")
        let duration = try await run("multipart_expires = \"soon\"\n")
        #expect(duration.status != 0 && duration.errors.contains("multipart_expires must be a duration"), "\(duration.errors)")
        let table = try await run("[iiif]\nthreads = 2\n")
        #expect(table.status != 0 && table.errors.contains("Unknown setting 'iiif'"), "\(table.errors)")
        let environment = try await run("", ["VELLUM_IIIF_THREADS": "-1"])
        #expect(environment.status != 0 && environment.errors.contains("VELLUM_IIIF_THREADS must be a positive whole number"))
        let good = try await run("multipart_expires = \"4d\"\nfixity_period = 86400\nallowed_hosts = [\"a.example\", \"b.example\"]\n")
        #expect(good.status == 0, "\(good.errors)")
    }

    /// A domain error ends a command with its message and an exit status of its reason (`sysexits.h`'s numbers);
    /// a malformed option is a usage error (64) before anything runs.
    @Test func errorsExitWithTheirReason() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var environment = ["VELLUM_DATA_DIR": dir]
        if TestServer.postgres != nil { environment["VELLUM_DATABASE_URL"] = try await TestServer.newPostgresDatabase().url }
        func vellum(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> (status: Int32, errors: String) {
            let run = try await TestServer.execute(
                try TestServer.binary(), arguments, environment: environment.merging(extra) { $1 }, directory: dir)
            return (run.status, run.errors)
        }
        let missing = try await vellum(["token", "revoke", "nosuch"])
        #expect(missing.status == 66 && missing.errors.contains("Error: No token called 'nosuch' is in use."), "\(missing)")
        #expect(try await vellum(["token", "create", "--name", "a"]).status == 0)
        let taken = try await vellum(["token", "create", "--name", "a"])
        #expect(taken.status == 65 && taken.errors.contains("A token called 'a' exists"), "\(taken)")
        #expect(!taken.errors.contains("Usage:"))
        let nowhere = try await vellum(["migrate", "--from", "default", "--to", "nosuch"])
        #expect(nowhere.status == 66 && nowhere.errors.contains("No storage location named 'nosuch'."), "\(nowhere)")
        let database = try await vellum(["location", "list"], ["VELLUM_DATABASE_URL": "mysql://db.example/vellum"])
        #expect(database.status == 78 && database.errors.contains("Unsupported database URL"), "\(database)")
        let port = try await vellum(["serve", "--port", "70000"])
        #expect(port.status == 64 && port.errors.contains("--port must be a port number, not '70000'"), "\(port)")
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
        #expect(migrated.status == 0 && migrated.output.contains("schema at version 12 of 12"))
        let after = try await vellum(["db", "status"])
        #expect(after.status == 0 && after.output.contains("applied: 1 2 3 4 5 6") && after.output.contains("pending: none"))
    }
}

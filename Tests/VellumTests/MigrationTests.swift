import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `vellum migrate` between the location `default` and a location of the other kind (a bucket on an S3 server when
/// `default` is a directory, a directory when it is a bucket, as the pass has it), while clients read and upload.
/// Each test has an S3 server of its own (moto, without authentication): these tests send ten thousand requests to
/// it, and the shared one (which checks every signature, for every other S3 test) is one Python process.
@Suite(.enabled(if: TestServer.s3Endpoint != nil)) struct MigrationTests {
    /// A server whose `default` location is in one kind of storage, with a location `other` in the other kind; and
    /// the S3 server's process, for the caller to kill.
    func serverWithTwoKinds() async throws -> (TestServer, Process) {
        let moto = try await TestServer.privateMoto()
        do {
            let bucket = try await TestServer.newS3Bucket(endpoint: moto.endpoint)
            var environment = [
                "VELLUM_S3_ACCESS_KEY_ID": TestServer.s3Credentials.accessKeyID,
                "VELLUM_S3_SECRET_ACCESS_KEY": TestServer.s3Credentials.secretAccessKey,
            ]
            if TestServer.onS3 { environment["VELLUM_DEFAULT_LOCATION"] = bucket }
            let server = try await TestServer(environment: environment)
            _ = try await server.cli(["location", "add", "other", server.s3 == nil ? bucket : "file://\(server.dataDir)/other"])
            return (server, moto.process)
        } catch {
            kill(moto.process.processIdentifier, SIGKILL)
            throw error
        }
    }

    /// Uploads `count` small files of distinct contents, 16 at a time; returns key → bytes.
    func upload(_ count: Int, to bucket: String, on server: TestServer, prefix: String = "f") async throws -> [String: [UInt8]] {
        try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
            var files: [String: [UInt8]] = [:]
            for index in 0..<count {
                if index >= 16, let (key, bytes) = try await group.next() { files[key] = bytes }
                group.addTask {
                    let key = "\(prefix)\(index)"
                    let bytes = Array("\(key):".utf8) + Fixtures.bytes(100 + index * 7)
                    let reply = try await server.request(.PUT, "/files/\(bucket)/\(key)", body: bytes)
                    guard reply.status == 200 else { throw TestError("PUT \(key): \(reply.status) \(reply.text)") }
                    return (key, bytes)
                }
            }
            for try await (key, bytes) in group { files[key] = bytes }
            return files
        }
    }

    /// Every file reads back whole and right (16 at a time).
    func expectReadable(_ files: [String: [UInt8]], in bucket: String, on server: TestServer) async throws {
        let wrong = try await withThrowingTaskGroup(of: String?.self) { group in
            var wrong: [String] = []
            for (index, (key, bytes)) in files.enumerated() {
                if index >= 16, let result = try await group.next(), let key = result { wrong.append(key) }
                group.addTask { try await server.request(.GET, "/files/\(bucket)/\(key)").bytes == bytes ? nil : key }
            }
            for try await case let key? in group { wrong.append(key) }
            return wrong
        }
        #expect(wrong.isEmpty, "\(wrong.count) files unreadable or wrong: \(wrong.prefix(5))")
    }

    /// How many files keep their bytes in `location`.
    func filesIn(_ location: String, _ server: TestServer) async throws -> Int {
        Int(try await server.sql("SELECT COUNT(*) FROM files WHERE location = '\(location)'").first ?? "") ?? -1
    }

    /// 1,000 files go to the other kind of storage and back while three clients read and one uploads: every file
    /// (the new ones too) ends readable, in the target, verified by fixity, with no bytes left behind.
    @Test func thereAndBackUnderLoad() async throws {
        let (server, moto) = try await serverWithTwoKinds()
        defer { kill(moto.processIdentifier, SIGKILL) }  // moto may not end on SIGTERM while serving
        let bucket = try await server.createBucket()
        var files = try await upload(1000, to: bucket, on: server)

        for (from, to) in [("default", "other"), ("other", "default")] {
            let load = MigrationLoad(server, bucket, files, prefix: "new-\(to)-")
            let run = try await server.cliStatus(["migrate", "--from", from, "--to", to, "--delete-source", "--source-grace", "1"])
            await load.stop()
            #expect(run.status == 0, "\(run.output)")
            #expect(load.failures.withLock { $0 }.isEmpty, "\(load.failures.withLock { $0.prefix(5) })")
            #expect(load.reads.load(ordering: .relaxed) > 0)
            files.merge(load.uploaded.withLock { $0 }) { $1 }
            // Uploads that began before the switch may land in the source: one more run takes them.
            if try await filesIn(from, server) > 0 {
                #expect(try await server.cliStatus(["migrate", "--from", from, "--to", to, "--delete-source", "--source-grace", "0"]).status == 0)
            }
            #expect(try await filesIn(from, server) == 0)
            #expect(try await filesIn(to, server) == files.count)
            #expect(try await server.request(.GET, "/files/\(bucket)").json()["location"] as? String == to)
            try await expectReadable(files, in: bucket, on: server)
            let fixity = try await server.cliStatus(["fixity", "run"])
            #expect(fixity.status == 0 && fixity.output.contains("verified \(files.count) files"), "\(fixity.output)")
            let gc = try await server.cli(["gc"])
            #expect(gc.contains("0 unreferenced"), "\(gc)")
        }
    }

    /// A migration killed half-way leaves every file readable where it is; run again, it finishes the rest. While
    /// one runs, another is refused (one at a time); the killed one does not block the next.
    @Test func aKilledMigrationResumes() async throws {
        let (server, moto) = try await serverWithTwoKinds()
        defer { kill(moto.processIdentifier, SIGKILL) }  // moto may not end on SIGTERM while serving
        let bucket = try await server.createBucket()
        let files = try await upload(400, to: bucket, on: server)
        let process = try server.startCLI(["migrate", "--from", "default", "--to", "other", "--max-rate", "0.05"])
        for _ in 0..<600 {
            guard try await filesIn("other", server) < 60 else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let second = try await TestServer.execute(
            try TestServer.binary(), ["migrate", "--from", "default", "--to", "other"], environment: server.vellumEnvironment,
            directory: server.dataDir)
        #expect(second.status != 0 && second.errors.contains("Another migration is running"), "\(second.errors)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let moved = try await filesIn("other", server)
        #expect(moved >= 60 && moved < files.count, "moved \(moved)")
        try await expectReadable(files, in: bucket, on: server)

        let rerun = try await server.cliStatus(["migrate", "--from", "default", "--to", "other"])
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("moved \(files.count - moved) files"), "\(rerun.output)")
        // The run was workers of its process, recorded as a daemon's are: the migration (an item per file moved)
        // and the lease it held, both stopped at its end.
        let rows = try await server.cli(["worker", "list"]).split(separator: "\n").map {
            $0.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let stopped = rows.filter { $0.count > 4 && $0[2] == "stopped" }
        #expect(stopped.filter { $0[0] == "migration" }.map { $0[4] } == ["\(files.count - moved)"], "\(rows)")
        #expect(stopped.filter { $0[0] == "lease:migration" }.count == 1, "\(rows)")
        #expect(try await filesIn("default", server) == 0)
        try await expectReadable(files, in: bucket, on: server)
        #expect(try await server.cliStatus(["fixity", "run"]).status == 0)
        // Without --delete-source the source copies stay, as bytes nothing refers to: all of them, and nothing else.
        let gc = try await server.cli(["gc"])
        #expect(gc.contains("\(files.count) unreferenced"), "\(gc)")
        #expect(!gc.contains("other\t"))
    }
}

/// Three clients reading the bucket's files and one uploading new ones (`prefix` and a number, at most
/// `maxUploads`), a round every 20 ms, until stopped. (Unpaced, the load made the run it loads move twice the files
/// and kept the test S3 server busy for the other tests.)
final class MigrationLoad: Sendable {
    static let maxUploads = 100
    let failures = Mutex<[String]>([])
    let uploaded = Mutex<[String: [UInt8]]>([:])
    let reads = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ server: TestServer, _ bucket: String, _ files: [String: [UInt8]], prefix: String) {
        let keys = Array(files.keys)
        task.withLock {
            $0 = Task { [self] in
                var round = 0
                while !stopping.load(ordering: .relaxed) {
                    round += 1
                    let round = round
                    await withTaskGroup(of: Void.self) { group in
                        for reader in 0..<3 {
                            group.addTask {
                                let key = keys[(round * 3 + reader) * 7919 % keys.count]
                                let reply = try? await server.request(.GET, "/files/\(bucket)/\(key)")
                                if reply?.bytes != files[key] { self.failures.withLock { $0.append("GET \(key): \(reply?.status ?? 0)") } }
                                self.reads.add(1, ordering: .relaxed)
                            }
                        }
                        guard round <= Self.maxUploads else { return }
                        group.addTask {
                            let key = "\(prefix)\(round)"
                            let bytes = Array(key.utf8) + Fixtures.bytes(500 + round)
                            let reply = try? await server.request(.PUT, "/files/\(bucket)/\(key)", body: bytes)
                            if reply?.status == 200 {
                                self.uploaded.withLock { $0[key] = bytes }
                            } else {
                                self.failures.withLock { $0.append("PUT \(key): \(reply?.status ?? 0)") }
                            }
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
    }

    /// Stops after the current round.
    func stop() async {
        stopping.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
    }
}

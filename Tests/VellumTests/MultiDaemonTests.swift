import Foundation
import Testing

/// Two `vellum serve` processes on one PostgreSQL database and one location (local or S3), hammered at once, behave as one
/// service. Runs in the suite's PostgreSQL pass (`VELLUM_TEST_POSTGRES`).
@Suite(.enabled(if: TestServer.postgres != nil)) struct MultiDaemonTests {
    /// Both daemons: the second shares the first's database and data directory. Fixity looks for due files every
    /// second and checks a file again only after 100 seconds.
    func pair(_ extra: [String: String] = [:]) async throws -> (TestServer, TestServer) {
        let settings = extra.merging(["VELLUM_FIXITY_PERIOD": "100s"]) { $1 }
        let first = try await TestServer(environment: settings)
        let shared = ["VELLUM_DATABASE_URL", "VELLUM_DATA_DIR", "VELLUM_DEFAULT_LOCATION"]
        let second = try await TestServer(environment: settings.merging(first.vellumEnvironment.filter { shared.contains($0.key) }) { $1 })
        return (first, second)
    }

    /// Rows of a query on the shared database, as psql prints them unaligned.
    func query(_ server: TestServer, _ sql: String) async throws -> [String] {
        let url = try #require(server.vellumEnvironment["VELLUM_DATABASE_URL"])
        return try await TestServer.runTool("/usr/bin/psql", [url, "-Atc", sql]).split(separator: "\n").map(String.init)
    }

    @Test func concurrentWritersKeepEveryRule() async throws {
        let (a, b) = try await pair()
        let servers = [a, b]
        let open = try await a.createBucket()
        let quota = 10_000
        let limited = try await b.createBucket(["quota_size": quota])

        enum Outcome: Sendable {
            case stored(key: String, version: String, body: [UInt8])
            case created(key: String)
            case refused(status: Int, quota: Bool)
            case deleted
        }
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for i in 0..<160 {
                let server = servers[i % 2]
                group.addTask {
                    switch i % 4 {
                    case 0, 1:  // overwrite five hot keys
                        let key = "hot-\(i % 5)"
                        let body = Array("version \(i) of \(key)".utf8)
                        let reply = try await server.request(.PUT, "/files/\(open)/\(key)", body: body)
                        #expect(reply.status == 200, "\(reply.text)")
                        return .stored(key: key, version: try reply.json()["version_id"] as? String ?? "", body: body)
                    case 2:  // conditional creates: one winner per key
                        let key = "once-\(i % 3)"
                        let reply = try await server.request(
                            .PUT, "/files/\(open)/\(key)", headers: [("If-None-Match", "*")], body: Array(key.utf8))
                        #expect(reply.status == 200 || reply.status == 412, "\(reply.status) \(reply.text)")
                        return reply.status == 200 ? .created(key: key) : .refused(status: reply.status, quota: false)
                    default:
                        if i % 8 == 3 {  // 1000-byte files into a 10,000-byte quota
                            let reply = try await server.request(
                                .PUT, "/files/\(limited)/f\(i)", body: [UInt8](repeating: UInt8(i % 256), count: 1000))
                            #expect(reply.status == 200 || reply.status == 400, "\(reply.status) \(reply.text)")
                            return reply.status == 200 ? .created(key: "f\(i)") : .refused(status: reply.status, quota: true)
                        }
                        let reply = try await server.request(.DELETE, "/files/\(open)/hot-\(i % 5)")
                        #expect(reply.status == 204 || reply.status == 404, "\(reply.status) \(reply.text)")
                        return .deleted
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        // Every key has exactly one head (a delete marker, after a delete).
        #expect(
            try await query(
                a,
                """
                SELECT key FROM object_versions GROUP BY bucket_id, key HAVING SUM(CASE WHEN is_head THEN 1 ELSE 0 END) <> 1
                """
            ).isEmpty)
        #expect(try await query(a, "SELECT COUNT(DISTINCT key) FROM object_versions WHERE bucket_id = '\(open)'") == ["8"])
        // Exactly one conditional create per key won.
        let created = outcomes.compactMap { if case .created(let key) = $0, key.hasPrefix("once-") { key } else { nil } }
        #expect(created.sorted() == ["once-0", "once-1", "once-2"])
        // Every acknowledged upload is there, with its bytes, from either daemon.
        for case .stored(let key, let version, let body) in outcomes {
            let reply = try await servers[body.count % 2].request(.GET, "/files/\(open)/\(key)?versionId=\(version)")
            #expect(reply.status == 200 && Array(reply.body.readableBytesView) == body, "\(key) \(version)")
        }
        // Bucket sizes are the sum of their versions; the quota held.
        let drift = try await query(
            a,
            """
            SELECT b.id FROM buckets b WHERE b.size <> COALESCE((SELECT SUM(f.size) FROM object_versions v
                JOIN files f ON f.id = v.file_id WHERE v.bucket_id = b.id), 0)
            """)
        #expect(drift.isEmpty)
        let accepted = outcomes.filter { if case .created(let key) = $0 { key.hasPrefix("f") } else { false } }.count
        #expect(accepted == quota / 1000)
        #expect(try await query(a, "SELECT size FROM buckets WHERE id = '\(limited)'") == ["\(quota)"])

        // Fixity: every file due at once, both daemons' schedulers running; each file is verified exactly once.
        try await a.sql(
            """
            BEGIN; DELETE FROM fixity_checks; UPDATE files SET next_check_at = 0, last_check_at = NULL; COMMIT
            """)
        let files = try await query(a, "SELECT COUNT(*) FROM files WHERE NOT deleting").first
        for _ in 0..<300 {
            if try await query(a, "SELECT COUNT(*) FROM files WHERE NOT deleting AND last_check_at IS NULL") == ["0"] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await query(a, "SELECT COUNT(*) FROM files WHERE NOT deleting AND last_check_at IS NULL") == ["0"])
        #expect(try await query(a, "SELECT COUNT(*) FROM fixity_checks") == [files ?? "?"])
        #expect(try await query(a, "SELECT file_id FROM fixity_checks GROUP BY file_id HAVING COUNT(*) > 1").isEmpty)
    }

    /// Both daemons' maintenance expires abandoned multipart uploads; each is expired once: its reservation is
    /// released once (the bucket's size returns to 0, never below) and its bytes are gone.
    @Test func abandonedUploadsExpireOnceAcrossDaemons() async throws {
        let (a, b) = try await pair(["VELLUM_MULTIPART_EXPIRES": "3s"])
        let bucket = try await a.createBucket()
        var ids: [String] = []
        for i in 0..<8 {
            ids.append(try #require(try await [a, b][i % 2].startUpload(bucket, "u\(i)", size: 6 * mib)["id"] as? String))
        }
        for _ in 0..<150 {
            if try await query(a, "SELECT COUNT(*) FROM multipart_uploads") == ["0"] { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for (i, id) in ids.enumerated() {
            #expect(try await b.request(.GET, "/files/\(bucket)/u\(i)?uploadId=\(id)").status == 404)
        }
        #expect(try await a.bucketSize(bucket) == 0)
        #expect(try await b.bucketSize(bucket) == 0)
        for _ in 0..<50 {  // the bytes go right after the metadata
            guard try await !a.pendingBlobs().isEmpty else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await a.pendingBlobs().isEmpty)
    }

    /// Files left marked for deletion (a request could not delete their bytes) are purged by maintenance, each by
    /// one daemon: the two daemons' purge counters add up to the number of files, and the bytes are gone.
    @Test func leftoverFilesArePurgedOnceAcrossDaemons() async throws {
        let (a, b) = try await pair(["VELLUM_MULTIPART_EXPIRES": "2s"])  // maintenance every half second
        let bucket = try await a.createBucket()
        for i in 0..<20 {
            #expect(try await [a, b][i % 2].request(.PUT, "/files/\(bucket)/f\(i)", body: Fixtures.bytes(100 + i)).status == 200)
        }
        #expect(try await a.storedBlobs().count == 20)
        // What a request leaves when it dies between marking the files and deleting their bytes.
        try await a.sql(
            """
            BEGIN;
            UPDATE files SET deleting = TRUE, purge_lease_until = 0
                WHERE id IN (SELECT file_id FROM object_versions WHERE bucket_id = '\(bucket)');
            DELETE FROM file_derivatives; DELETE FROM object_versions WHERE bucket_id = '\(bucket)';
            UPDATE buckets SET size = 0 WHERE id = '\(bucket)';
            COMMIT
            """)
        for _ in 0..<100 {
            if try await query(a, "SELECT COUNT(*) FROM files") == ["0"] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await query(a, "SELECT COUNT(*) FROM files") == ["0"])
        #expect(try await a.storedBlobs().isEmpty)
        var purged = 0
        for server in [a, b] {
            let text = try await server.request(.GET, "/metrics").text
            let line = text.split(separator: "\n").first { $0.hasPrefix("vellum_maintenance_purged_files_total ") }
            purged += Int(line?.split(separator: " ").last ?? "") ?? 0
        }
        #expect(purged == 20)
    }

    /// Both daemons build pyramids; each image ends with one, and a copy built twice is not left behind as a file
    /// nothing refers to.
    @Test
    func eachImageGetsOnePyramid() async throws {
        let (a, b) = try await pair()
        let bucket = try await a.createBucket()
        for i in 0..<4 {
            let path = a.dataDir + "/image\(i).jpg"
            try await IIIFTests.python("from PIL import Image; Image.effect_noise((900, 700), 40 + \(i)).convert('RGB').save('\(path)')")
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(try await [a, b][i % 2].request(.PUT, "/files/\(bucket)/image\(i).jpg", body: bytes).status == 200)
        }
        for _ in 0..<300 {
            if try await query(a, "SELECT COUNT(*) FROM file_derivatives WHERE derivative_id IS NOT NULL") == ["4"] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // A second build of one of them, if any, has finished: each daemon's pyramid worker has done two more passes.
        try await a.waitForPasses("pyramids")
        try await b.waitForPasses("pyramids")
        #expect(try await query(a, "SELECT COUNT(*) FROM file_derivatives WHERE derivative_id IS NOT NULL") == ["4"])
        #expect(try await query(a, "SELECT COUNT(*) FROM files WHERE NOT deleting") == ["8"])
    }
}

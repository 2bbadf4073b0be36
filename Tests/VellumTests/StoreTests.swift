import Foundation
import Logging
import NIOPosix
import Testing
import VellumCore
import VellumStore

@Suite struct StoreTests {
    /// A fresh store: SQLite in a temporary directory, or with `VELLUM_TEST_POSTGRES` set, a new PostgreSQL database.
    func withStore(_ body: (any MetadataStore) async throws -> Void) async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store: any MetadataStore
        if TestServer.postgres != nil {
            store = try await PostgresMetadataStore.open(url: try await TestServer.newPostgresDatabase().url, logger: Logger(label: "test"))
        } else {
            store = try await SQLiteMetadataStore.open(path: dir + "/test.sqlite", logger: Logger(label: "test"))
        }
        try await store.whileRunning { try await body(store) }
    }

    /// An attached module's schema steps are applied after the files core's, once each, and kept apart from them;
    /// a build with a new step applies only that one; the store's status lists every module's.
    @Test func modulesMigrateStepsOfTheirOwn() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = TestServer.postgres != nil ? try await TestServer.newPostgresDatabase().url : nil
        func open(_ modules: [SchemaModule]) async throws -> any MetadataStore {
            if let url { return try await PostgresMetadataStore.open(url: url, logger: Logger(label: "test"), modules: modules) }
            return try await SQLiteMetadataStore.open(path: dir + "/test.sqlite", logger: Logger(label: "test"), modules: modules)
        }
        let first: [[SchemaStatement]] = [
            ["CREATE TABLE example_things (id TEXT PRIMARY KEY)"],
            ["ALTER TABLE example_things ADD COLUMN note TEXT", .postgres("CREATE INDEX example_things_note ON example_things (note)")],
        ]
        let store = try await open([SchemaModule(name: "example", steps: first)])
        let statuses = try await store.whileRunning {
            try await store.write { session in
                try await (session as! SQLMetadataSession).db.raw("INSERT INTO example_things (id, note) VALUES ('a', 'n')").run()
            }
            return try await store.migrationStatus()
        }
        #expect(statuses.map(\.module) == ["files", "example"])
        #expect(statuses[0].pending.isEmpty && statuses[0].known > 5)
        #expect(statuses[1] == MigrationStatus(module: "example", applied: [1, 2], known: 2))

        // A step that is not idempotent shows it ran once: the row is still there after the new step.
        let later = try await open([SchemaModule(name: "example", steps: first + [["ALTER TABLE example_things ADD COLUMN kind TEXT"]])])
        let after = try await later.whileRunning {
            let count = try await later.read { session in
                try await (session as! SQLMetadataSession).db.raw("SELECT COUNT(*) AS n FROM example_things WHERE kind IS NULL").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(count == 1)
            return try await later.migrationStatus()
        }
        #expect(after[1] == MigrationStatus(module: "example", applied: [1, 2, 3], known: 3))
        #expect(after[0] == statuses[0])
    }

    /// Concurrent writes (sharing commits on SQLite), and one that fails rolls back alone.
    @Test func groupCommitIsolatesFailures() async throws {
        try await withStore { store in
            try await store.write { try await $0.insertLocation(Location(name: "l", uri: "file:///x", isDefault: true, created: Date())) }
            let ids = (0..<50).map { _ in UUID() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, id) in ids.enumerated() {
                    group.addTask {
                        do {
                            try await store.write { session in
                                let bucket = Bucket(
                                    id: id, owner: "t\(i)", location: "l", quotaSize: nil, maxFileSize: nil,
                                    created: Date(), updated: Date())
                                try await session.insertBucket(bucket)
                                if i % 5 == 0 { throw FilesError(.invalid, "fail \(i)") }
                            }
                        } catch let error as FilesError {
                            #expect(error.message == "fail \(i)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            for (i, id) in ids.enumerated() {
                let stored = try await store.read { try await $0.bucket(id) }
                #expect((stored == nil) == (i % 5 == 0), "bucket \(i)")
            }
        }
    }

    @Test func onlyOneHeadPerKey() async throws {
        try await withStore { store in
            let bucketID = UUID()
            try await store.write { session in
                try await session.insertLocation(Location(name: "l", uri: "file:///x", isDefault: true, created: Date()))
                try await session.insertBucket(
                    Bucket(id: bucketID, owner: nil, location: "l", quotaSize: nil, maxFileSize: nil, created: Date(), updated: Date()))
            }
            for i in 0..<3 {
                try await store.write { session in
                    let now = Date().addingTimeInterval(Double(i))
                    try await session.insertHeadVersion(
                        ObjectVersion(
                            versionID: UUID(), bucketID: bucketID, key: "k", file: nil, mimetype: nil, isHead: true,
                            created: now, updated: now))
                }
            }
            let head = try await store.read { try await $0.headVersion(bucketID: bucketID, key: try ObjectKey("k")) }
            #expect(head?.isHead == true)
        }
    }

    /// One head per key is the database's rule, not only the code's: a second head written behind the daemon's
    /// back is refused.
    @Test func theDatabaseRefusesASecondHead() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PUT, "/files/\(bucket)/k", body: [1]).status == 200)
        let insert = """
            INSERT INTO object_versions (version_id, bucket_id, key, file_id, mimetype, is_head, tags, created, updated)
            VALUES ('\(UUID().uuidString.lowercased())', '\(bucket)', 'k', NULL, NULL, TRUE, '{}', 1, 1)
            """
        await #expect(throws: TestError.self) { try await server.sql(insert) }
        try await server.sql(insert.replacingOccurrences(of: "TRUE", with: "FALSE"))  // a non-head is fine
    }

    /// Two daemons claiming due files for fixity at once get different files: a claim skips the rows another
    /// transaction is claiming (`FOR UPDATE SKIP LOCKED`), instead of reading them as unclaimed.
    @Test(.enabled(if: TestServer.postgres != nil)) func fixityClaimsSkipFilesAnotherDaemonIsClaiming() async throws {
        let url = try await TestServer.newPostgresDatabase().url
        let first = try await PostgresMetadataStore.open(url: url, logger: Logger(label: "test"))
        let second = try await PostgresMetadataStore.open(url: url, logger: Logger(label: "test"))
        try await first.whileRunning {
            try await second.whileRunning {
                try await first.write { session in
                    try await session.insertLocation(Location(name: "l", uri: "file:///x", isDefault: true, created: Date()))
                    for _ in 0..<10 {
                        try await session.insertFile(
                            FileInstance(id: UUID(), location: "l", size: 1, checksums: Checksums(md5: "m", sha256: "s"), created: Date()))
                    }
                    _ = try await session.scheduleUncheckedFiles(now: Date(timeIntervalSince1970: 0), period: .microseconds(1), limit: 10)
                }
                let lease = Date().addingTimeInterval(60)
                // The first claim holds its transaction open while the second claims.
                async let held = first.write { session in
                    let files = try await session.claimDueFiles(now: Date(), leaseUntil: lease, limit: 6)
                    try await Task.sleep(for: .seconds(1))
                    return files.map(\.id)
                }
                try await Task.sleep(for: .milliseconds(300))
                let other = try await second.write { try await $0.claimDueFiles(now: Date(), leaseUntil: lease, limit: 10) }.map(\.id)
                let claimed = try await held
                #expect(claimed.count == 6 && other.count == 4)
                #expect(Set(claimed).isDisjoint(with: other))
            }
        }
    }
}

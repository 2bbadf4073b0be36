import Foundation
import Logging
import NIOPosix
import Testing
import VellumCore
import VellumStore

@Suite struct StoreTests {
    func withStore(_ body: (SQLiteMetadataStore) async throws -> Void) async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await SQLiteMetadataStore.open(
            path: dir + "/test.sqlite", logger: Logger(label: "test"))
        do {
            try await body(store)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    /// Concurrent writes share commits, and one that fails rolls back alone.
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
                                if i % 5 == 0 { throw VellumError(400, "fail \(i)") }
                            }
                        } catch let error as VellumError {
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
                        ObjectVersion(versionID: UUID(), bucketID: bucketID, key: "k", file: nil, mimetype: nil, isHead: true,
                            created: now, updated: now))
                }
            }
            let head = try await store.read { try await $0.headVersion(bucketID: bucketID, key: "k") }
            #expect(head?.isHead == true)
        }
    }
}

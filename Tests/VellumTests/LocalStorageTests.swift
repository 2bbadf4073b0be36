import Foundation
import LocalStorage
import NIOCore
import NIOPosix
import Testing

/// Several daemons may share a local location: a blob one of them is still writing is never another's to recover
/// (it is pending, for the unreferenced-bytes scan, but not abandoned).
@Suite struct LocalStorageTests {
    @Test func blobsBeingWrittenAreNotPending() async throws {
        let root = try TestServer.makeTempDir() + "/location"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try LocalStorage.prepare(root: root)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let storage = try LocalStorage(root: root, threadPool: pool)

        let writing = UUID()
        let finished = UUID()
        let writer = try await storage.create(writing)
        try await writer.write([ByteBuffer(bytes: [1, 2, 3])])
        let done = try await storage.create(finished)
        try await done.finish(writing: [ByteBuffer(bytes: [4])])
        // A temp file nobody holds: what a writer killed half-way leaves.
        let orphan = UUID()
        FileManager.default.createFile(atPath: root + "/.tmp/" + orphan.uuidString.lowercased(), contents: Data([5]))

        // The blob being written and the one awaiting its metadata are held; the orphan is abandoned.
        #expect(Set(try await storage.pendingBlobs()) == [writing, finished, orphan])
        #expect(Set(try await storage.abandonedBlobs()) == [orphan])
        try await storage.settle(finished)
        await writer.abort()
        #expect(Set(try await storage.pendingBlobs()) == [orphan])
        #expect(Set(try await storage.abandonedBlobs()) == [orphan])
        // Released by settle and abort: a temp file left after them would be abandoned.
        try await storage.delete(orphan)
        #expect(try await storage.pendingBlobs().isEmpty)
        try await pool.shutdownGracefully()
    }
}

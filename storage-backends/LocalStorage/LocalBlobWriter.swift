import Foundation
import NIOCore
import Synchronization
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes one pending blob of a `LocalStorage`.
final class LocalBlobWriter: BlobWriter {
    let storage: LocalStorage
    let id: UUID
    private let fd: Mutex<Int32?>

    init(storage: LocalStorage, id: UUID, fd: Int32) {
        self.storage = storage
        self.id = id
        self.fd = Mutex(fd)
    }

    func write(_ buffers: [ByteBuffer]) async throws {
        guard let fd = fd.withLock({ $0 }) else { throw VellumError(500, "Blob writer is closed.") }
        try await storage.threadPool.runIfActive {
            for buffer in buffers {
                try buffer.withUnsafeReadableBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    var done = 0
                    while done < bytes.count {
                        let n = Glibc.write(fd, base + done, bytes.count - done)
                        if n < 0 {
                            if errno == EINTR { continue }
                            try LocalStorage.fail("write")
                        }
                        done += n
                    }
                }
            }
        }
    }

    func finish() async throws {
        guard let fd = fd.withLock({ value -> Int32? in defer { value = nil }; return value }) else {
            throw VellumError(500, "Blob writer is closed.")
        }
        let temp = storage.tempPath(id), final = storage.finalPath(id)
        try await storage.threadPool.runIfActive {
            defer { close(fd) }
            try LocalStorage.check(fsync(fd), "fsync \(temp)")
            let dir = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
            try LocalStorage.makeDirectories(dir)
            try LocalStorage.check(link(temp, final), "link \(final)")
            try LocalStorage.fsyncDirectory(dir)
        }
    }

    func abort() async {
        let open = fd.withLock { value -> Int32? in defer { value = nil }; return value }
        if let open { close(open) }
        try? await storage.delete(id)
    }
}

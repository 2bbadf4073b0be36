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
        try await storage.threadPool.runIfActive { try Self.writeAll(fd, buffers) }
    }

    /// One `writev` per batch: small writes are several times slower per byte on ext4 than large ones.
    static func writeAll(_ fd: Int32, _ buffers: [ByteBuffer]) throws {
        var pending = buffers.filter { $0.readableBytes > 0 }
        while !pending.isEmpty {
            let count = min(pending.count, 1024)  // IOV_MAX on Linux
            let written = try withIOVecs(pending[..<count]) { iovecs in
                Glibc.writev(fd, iovecs.baseAddress, Int32(iovecs.count))
            }
            if written < 0 {
                if errno == EINTR { continue }
                try LocalStorage.fail("write")
            }
            var remaining = written
            while remaining > 0, let first = pending.first {
                if first.readableBytes <= remaining {
                    remaining -= first.readableBytes
                    pending.removeFirst()
                } else {
                    pending[0].moveReaderIndex(forwardBy: remaining)
                    remaining = 0
                }
            }
        }
    }

    /// Calls `body` with iovecs pointing into `buffers`, which stay alive for the call.
    private static func withIOVecs<R>(_ buffers: ArraySlice<ByteBuffer>, _ body: (UnsafeBufferPointer<iovec>) -> R) throws
        -> R
    {
        var iovecs: [iovec] = []
        iovecs.reserveCapacity(buffers.count)
        func collect(_ index: ArraySlice<ByteBuffer>.Index) -> R {
            guard index < buffers.endIndex else { return iovecs.withUnsafeBufferPointer(body) }
            return buffers[index].withUnsafeReadableBytes { bytes in
                iovecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count))
                return collect(index + 1)
            }
        }
        return collect(buffers.startIndex)
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
            if link(temp, final) != 0 {
                // Shard directories are made by `prepare`; recreate one only if it went missing.
                guard errno == ENOENT else { try LocalStorage.fail("link \(final)") }
                try LocalStorage.makeDirectories(dir)
                try LocalStorage.check(link(temp, final), "link \(final)")
            }
            try LocalStorage.fsyncDirectory(dir)
        }
    }

    func abort() async {
        let open = fd.withLock { value -> Int32? in defer { value = nil }; return value }
        if let open { close(open) }
        try? await storage.delete(id)
    }
}

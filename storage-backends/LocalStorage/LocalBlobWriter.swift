import Foundation
import NIOCore
import Synchronization
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// Writes one pending blob of a `LocalStorage`. The temp file is created by the first write (or by `finish` for
/// an empty blob), in the same thread-pool job, so a small upload costs two hops to the pool, not three.
final class LocalBlobWriter: BlobWriter {
    let storage: LocalStorage
    let id: UUID

    private enum State {
        case unopened
        case open(Int32)
        case closed
    }

    private let state = Mutex(State.unopened)

    init(storage: LocalStorage, id: UUID) {
        self.storage = storage
        self.id = id
    }

    func write(_ buffers: [ByteBuffer]) async throws {
        try await storage.threadPool.runIfActive { try Self.writeAll(self.descriptor(), buffers) }
    }

    /// The open temp file, created on first use. Called on the thread pool.
    private func descriptor() throws -> Int32 {
        try state.withLock { state in
            switch state {
            case .open(let fd): return fd
            case .closed: throw VellumError(500, "Blob writer is closed.")
            case .unopened:
                let path = storage.tempPath(id)
                let fd = try LocalStorage.check(Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640), "open \(path)")
                state = .open(fd)
                return fd
            }
        }
    }

    /// Takes the descriptor out, leaving the writer closed.
    private func take() -> Int32? {
        state.withLock { state in
            defer { state = .closed }
            if case .open(let fd) = state { return fd }
            return nil
        }
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
        let temp = storage.tempPath(id), final = storage.finalPath(id)
        try await storage.threadPool.runIfActive {
            let fd = try self.descriptor()
            _ = self.take()
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
        if let fd = take() { close(fd) }
        try? await storage.delete(id)
    }
}

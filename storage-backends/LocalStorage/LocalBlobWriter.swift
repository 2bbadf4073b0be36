import Foundation
import NIOCore
import Synchronization
import VellumCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one pending blob of a `LocalStorage` through a `DirectFile`: a whole new blob, or one part of a
/// multipart blob in place. A new blob's temp file is created by the first write (or by `finish` for an empty
/// blob), in the same thread-pool job, so a small upload (written whole by `finish`) costs one hop to the pool.
final class LocalBlobWriter: BlobWriter {
    let storage: LocalStorage
    let id: UUID
    /// Where a part starts; nil for a whole new blob.
    let partOffset: Int64?

    private enum State {
        case unopened
        case open(DirectFile)
        case closed
    }

    private let state = Mutex(State.unopened)

    init(storage: LocalStorage, id: UUID, partOffset: Int64? = nil) {
        self.storage = storage
        self.id = id
        self.partOffset = partOffset
    }

    func write(_ buffers: [ByteBuffer]) async throws {
        try await storage.threadPool.runIfActive {
            try self.file().append(buffers)
        }
    }

    /// The open temp file, created on first use. Called on the thread pool; writes never overlap.
    private func file() throws -> DirectFile {
        try state.withLock { state in
            switch state {
            case .open(let file): return file
            case .closed: throw StorageError(.failure, "Blob writer is closed.")
            case .unopened:
                let path = storage.tempPath(id)
                let flags = partOffset == nil ? O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC : O_WRONLY | O_CLOEXEC
                let fd = try LocalStorage.check(Glibc.open(path, flags, 0o640), "open \(path)")
                let file = DirectFile(fd: fd, offset: partOffset ?? 0)
                if partOffset == nil { try PendingLocks.hold(path, fd: fd) }
                state = .open(file)
                return file
            }
        }
    }

    /// Takes the file out (closing it when released), leaving the writer closed.
    private func take() -> DirectFile? {
        state.withLock { state in
            defer { state = .closed }
            if case .open(let file) = state { return file }
            return nil
        }
    }

    /// A new blob: link it to its final place and make both durable (see `LocalStorage.publish`). A part: fsync.
    func finish(writing last: [ByteBuffer]) async throws {
        try await storage.threadPool.runIfActive {
            try self.file().append(last)
            guard let file = self.take() else { throw StorageError(.failure, "Blob writer is closed.") }
            try file.flush()
            if self.partOffset == nil {
                try self.storage.publish(self.id, fd: file.fd)
            } else {
                try LocalStorage.check(fsync(file.fd), "fsync")
            }
        }
    }

    func abort() async {
        _ = take()
        if partOffset == nil { try? await storage.delete(id) }
    }
}

import NIOCore
import NIOPosix
import Synchronization
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads a range of a local blob in 1 MiB chunks, reading the next chunk ahead while the caller sends this one.
/// The first chunk is read when the file is opened, in the same thread-pool job (small files: one hop in all).
/// Past the first chunk of a large range, reads use `O_DIRECT` into aligned buffers: large uploads bypass the page
/// cache (see `DirectFile`), and 1 MiB reads of a file that is not cached ran at 0.45 GB/s buffered (2.3 GB/s with
/// `POSIX_FADV_SEQUENTIAL`, but only ~0.6 GB/s while also sending) and 2.1 GB/s direct on this project's CI machine.
final class LocalBlobReader: BlobReader {
    static let chunk = 1 << 20
    static let directThreshold = 8 << 20

    private struct State {
        var fd: Int32?
        var offset: Int64
        var first: ByteBuffer?
        var ahead: Task<ByteBuffer, any Error>?
    }

    private let state: Mutex<State>
    private let end: Int64
    private let threadPool: NIOThreadPool

    init(fd: Int32, range: Range<Int64>, first: ByteBuffer, threadPool: NIOThreadPool) {
        self.end = range.upperBound
        self.threadPool = threadPool
        self.state = Mutex(State(fd: fd, offset: range.lowerBound, first: first))
    }

    /// Opens `path` and reads the first chunk of `range`; call it on the thread pool.
    static func open(_ path: String, range: Range<Int64>) throws -> (Int32, ByteBuffer) {
        let fd = try LocalStorage.check(Glibc.open(path, O_RDONLY | O_CLOEXEC), "open \(path)")
        do {
            let length = Int(min(Int64(chunk), range.upperBound - range.lowerBound))
            let first = try LocalStorage.pread(fd, offset: range.lowerBound, length: length)
            if range.upperBound - range.lowerBound >= Int64(directThreshold) { _ = DirectFile.setDirect(fd, true) }
            return (fd, first)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    func next() async throws -> ByteBuffer? {
        let (first, task) = state.withLock { state -> (ByteBuffer?, Task<ByteBuffer, any Error>?) in
            if let first = state.first {
                state.first = nil
                return (first, nil)
            }
            defer { state.ahead = nil }
            return (nil, state.ahead ?? readTask(&state))
        }
        var next = first
        if next == nil { next = try await task?.value }
        guard let buffer = next else { return nil }
        guard buffer.readableBytes > 0 else {
            if end != Int64.max { throw VellumError(500, "Stored file is shorter than its metadata.") }
            return nil
        }
        state.withLock { state in
            state.offset += Int64(buffer.readableBytes)
            state.ahead = readTask(&state)
        }
        return buffer
    }

    func close() async {
        let (fd, ahead) = state.withLock { state in
            defer { state.fd = nil; state.ahead = nil }
            return (state.fd, state.ahead)
        }
        _ = try? await ahead?.value
        if let fd { Glibc.close(fd) }
    }

    private func readTask(_ state: inout State) -> Task<ByteBuffer, any Error>? {
        guard let fd = state.fd, state.offset < end else { return nil }
        let offset = state.offset, length = Int(min(Int64(Self.chunk), end - offset))
        let pool = threadPool
        return Task { try await pool.runIfActive { try LocalStorage.preadAligned(fd, offset: offset, length: length) } }
    }
}

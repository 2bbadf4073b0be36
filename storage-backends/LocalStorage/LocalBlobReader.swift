import NIOCore
import NIOPosix
import Synchronization
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads a range of a local blob in 1 MiB chunks, reading the next chunk ahead while the caller sends this one.
final class LocalBlobReader: BlobReader {
    static let chunk = 1 << 20

    private struct State {
        var fd: Int32?
        var offset: Int64
        var ahead: Task<ByteBuffer, any Error>?
    }

    private let state: Mutex<State>
    private let end: Int64
    private let threadPool: NIOThreadPool

    init(fd: Int32, range: Range<Int64>, threadPool: NIOThreadPool) {
        self.end = range.upperBound
        self.threadPool = threadPool
        self.state = Mutex(State(fd: fd, offset: range.lowerBound))
    }

    func next() async throws -> ByteBuffer? {
        guard let task = state.withLock({ state -> Task<ByteBuffer, any Error>? in
            defer { state.ahead = nil }
            return state.ahead ?? readTask(&state)
        }) else { return nil }
        let buffer = try await task.value
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
        return Task { try await pool.runIfActive { try LocalStorage.pread(fd, offset: offset, length: length) } }
    }
}

import CMD5Lanes
import NIOCore
import Synchronization

/// MD5 of many streams at once, in the lanes of vector registers. One stream's MD5 is a chain of dependent steps: a
/// core hashes one stream at ~0.7 GB/s however wide its vectors are, but 8 streams side by side in AVX2 registers at
/// ~3.5 GB/s, 16 in AVX-512 registers at ~4.5 GB/s (`Sources/CMD5Lanes`). Tasks that hash streams of their own
/// hand their chunks to `update`; one task at a time hashes what is waiting, together, while the others read and
/// compute their SHA-256. Under load, chunks wait while a batch is hashed, so batches fill up by themselves; with
/// a single stream, a batch is that stream's chunk (hashed without vectors, at ~0.6 GB/s).
public final class MD5Lanes: Sendable {
    public static let shared = MD5Lanes()
    /// Streams one vector step hashes on this CPU: 16 (AVX-512), 8 (AVX2), or 1 (neither: no point in batching).
    public static let width = Int(md5lanes_width())

    /// One stream's state. Used by one task at a time, which waits for each `update` before the next.
    public final class Stream: @unchecked Sendable {
        fileprivate let context: UnsafeMutablePointer<md5lanes_ctx>

        public init() {
            context = .allocate(capacity: 1)
            md5lanes_init(context)
        }

        deinit { context.deallocate() }

        /// The digest, as lowercase hex; the stream is finished.
        public func finalize() -> String {
            var digest = [UInt8](repeating: 0, count: 16)
            md5lanes_final(context, &digest)
            return digest.hexString
        }
    }

    private struct Request {
        let stream: Stream
        let chunk: ByteBuffer
        let done: CheckedContinuation<Void, Never>
    }

    private struct Queue {
        var waiting: [Request] = []
        var hashing = false
    }

    private let queue = Mutex(Queue())

    /// Adds `chunk` to `stream`, together with the chunks other streams add meanwhile.
    public func update(_ stream: Stream, with chunk: ByteBuffer) async {
        await withCheckedContinuation { done in
            let start = queue.withLock { queue in
                queue.waiting.append(Request(stream: stream, chunk: chunk, done: done))
                defer { queue.hashing = true }
                return !queue.hashing
            }
            if start { Task { self.hashWaiting() } }
        }
    }

    /// Hashes waiting chunks, up to MD5LANES_MAX at a time, until none waits.
    private func hashWaiting() {
        while true {
            let batch = queue.withLock { queue in
                let batch = queue.waiting.prefix(Int(MD5LANES_MAX))
                queue.waiting.removeFirst(batch.count)
                if batch.isEmpty { queue.hashing = false }
                return Array(batch)
            }
            if batch.isEmpty { return }
            Self.hash(batch[...], contexts: [], data: [], lengths: [])
            for request in batch { request.done.resume() }
        }
    }

    /// Collects each chunk's bytes (nested, so each stays valid) and hashes them all in one call.
    private static func hash(
        _ requests: ArraySlice<Request>, contexts: [UnsafeMutablePointer<md5lanes_ctx>?],
        data: [UnsafePointer<UInt8>?], lengths: [Int]
    ) {
        guard let request = requests.first else {
            md5lanes_update(contexts, data, lengths, Int32(contexts.count))
            return
        }
        request.chunk.withUnsafeReadableBytes { bytes in
            hash(
                requests.dropFirst(), contexts: contexts + [request.stream.context],
                data: data + [bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)], lengths: lengths + [bytes.count])
        }
    }
}

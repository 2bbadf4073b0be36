import CMD5Lanes
import NIOCore
import Synchronization

/// MD5 of many streams at once, in the lanes of vector registers. One stream's MD5 is a chain of dependent steps: a
/// core hashes one stream at ~0.7 GB/s however wide its vectors are, but 8 streams side by side in AVX2 registers at
/// ~3.5 GB/s, 16 in AVX-512 registers at ~4.5 GB/s (`Sources/CMD5Lanes`). Tasks that hash streams of their own
/// hand their chunks to `update`, and compute their SHA-256 while the chunk waits for the others' (see
/// `Queue.batchSize`) and is hashed.
public final class MD5Lanes: Sendable {
    public static let shared = MD5Lanes()
    /// Streams one vector step hashes on this CPU: 16 (AVX-512), 8 (AVX2), or 1 (neither: no point in batching).
    public static let width = Int(md5lanes_width())

    /// One stream's state. Used by one task at a time, which waits for each `update` before the next.
    public final class Stream: @unchecked Sendable {
        fileprivate let context: UnsafeMutablePointer<md5lanes_ctx>
        private let lanes: MD5Lanes

        /// A stream whose chunks `lanes` hashes.
        public init(_ lanes: MD5Lanes = .shared) {
            self.lanes = lanes
            context = .allocate(capacity: 1)
            md5lanes_init(context)
            lanes.queue.withLock { $0.streams += 1 }
        }

        deinit {
            context.deallocate()
            let lanes = lanes
            if lanes.queue.withLock({ $0.streams -= 1; return $0.startsHasher(cores: lanes.cores) }) {
                Task { lanes.hashWaiting() }
            }
        }

        /// The digest, as lowercase hex; the stream is finished.
        public func finalize() -> String {
            var digest = [UInt8](repeating: 0, count: 16)
            md5lanes_final(context, &digest)
            return digest.hexString
        }
    }

    fileprivate struct Request {
        let stream: Stream
        let chunk: ByteBuffer
        let done: CheckedContinuation<Void, Never>
    }

    fileprivate struct Queue {
        var waiting: [Request] = []
        /// Tasks hashing.
        var hashers = 0
        /// Streams not finished.
        var streams = 0
        /// Batches taken so far.
        var batches = 0
        /// Whether what waits is hashed without waiting for a full batch (see `update`).
        var overdue = false

        /// Chunks a batch waits for. With more streams than cores, 8 (or all streams, if fewer): a batch then fills
        /// 8 lanes or more, hashed at ~0.3 ms per MiB and stream instead of ~1.3 ms alone, while the streams compute
        /// their SHA-256s (~0.6 ms per MiB) on all cores. Hashing whatever waits instead took half as much CPU again
        /// (more, smaller batches); waiting for all 16 of fixity's streams made every batch wait for the slowest
        /// read. With no more streams than cores, none: each stream is hashed alone, on a core of its own.
        func batchSize(cores: Int) -> Int {
            overdue || streams <= cores ? 1 : min(streams, 8)
        }

        /// Whether a hasher should start now: a batch is waiting and a core is free.
        mutating func startsHasher(cores: Int) -> Bool {
            guard hashers < cores, waiting.count >= batchSize(cores: cores) else { return false }
            hashers += 1
            return true
        }

        /// The next batch to hash, or nil (and one hasher fewer) when no batch is waiting.
        mutating func nextBatch(cores: Int) -> [Request]? {
            guard !waiting.isEmpty, waiting.count >= batchSize(cores: cores) else {
                hashers -= 1
                return nil
            }
            let batch = waiting.prefix(Int(MD5LANES_MAX))
            waiting.removeFirst(batch.count)
            batches += 1
            overdue = false
            return Array(batch)
        }
    }

    fileprivate let queue = Mutex(Queue())
    private let cores = System.coreCount
    /// How long a batch waits for its last streams' chunks at most: a stream whose reading stalls (or a task that
    /// abandons its stream without releasing it) slows the others down, never stops them.
    private let patience = Duration.milliseconds(50)

    public init() {}

    /// Adds `chunk` to `stream`, together with the chunks other streams add meanwhile; runs `meanwhile` (the
    /// caller's other work on the chunk) while the chunk waits or is hashed.
    public func update(_ stream: Stream, with chunk: ByteBuffer, meanwhile: () -> Void = {}) async {
        await withCheckedContinuation { done in
            let (start, batch) = queue.withLock { queue -> (Bool, Int?) in
                queue.waiting.append(Request(stream: stream, chunk: chunk, done: done))
                if queue.startsHasher(cores: cores) { return (true, nil) }
                return (false, queue.waiting.count == 1 ? queue.batches : nil)
            }
            if start {
                Task { self.hashWaiting() }
            } else if let batch {  // the first chunk of a batch: it waits `patience` at most
                Task {
                    try? await Task.sleep(for: patience)
                    let start = queue.withLock { queue in
                        guard queue.batches == batch else { return false }
                        queue.overdue = true
                        return queue.startsHasher(cores: cores)
                    }
                    if start { self.hashWaiting() }
                }
            }
            meanwhile()
        }
    }

    /// Hashes batches while any is waiting.
    private func hashWaiting() {
        while let batch = queue.withLock({ $0.nextBatch(cores: cores) }) {
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

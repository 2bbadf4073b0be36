import CMD5Lanes
import NIOCore
import Synchronization

/// MD5 of many streams at once, in the lanes of vector registers. One stream's MD5 is a chain of dependent steps: a
/// core hashes one stream at ~0.8 GB/s however wide its vectors are, but 8 streams side by side in AVX2 registers at
/// ~3.3 GB/s, 16 in AVX-512 registers at ~4.5 GB/s (`Sources/CMD5Lanes`). Tasks that hash streams of their own
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
            let hash = lanes.queue.withLock {
                $0.streams -= 1
                return $0.startsHasher(cores: lanes.cores)
            }
            lanes.start(hash: hash, watch: false)
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
        /// Whether what waits is hashed without waiting for a full batch (see `watch`).
        var overdue = false
        /// Whether a task watches the waiting chunks.
        var watching = false

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

        /// Whether a watch should start: chunks wait and no task watches them.
        mutating func startsWatch() -> Bool {
            guard !waiting.isEmpty, !watching else { return false }
            watching = true
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
    /// How long chunks wait for a batch to fill at most: a stream whose reading stalls (or a task that abandons its
    /// stream without releasing it) slows the others down, never stops them.
    private let patience = Duration.milliseconds(50)

    public init() {}

    /// Adds `chunk` to `stream`, together with the chunks other streams add meanwhile; runs `meanwhile` (the
    /// caller's other work on the chunk) while the chunk waits or is hashed.
    public func update(_ stream: Stream, with chunk: ByteBuffer, meanwhile: () -> Void = {}) async {
        await withCheckedContinuation { done in
            let (hash, watch) = queue.withLock { queue in
                queue.waiting.append(Request(stream: stream, chunk: chunk, done: done))
                return (queue.startsHasher(cores: cores), queue.startsWatch())
            }
            start(hash: hash, watch: watch)
            meanwhile()
        }
    }

    private func start(hash: Bool, watch: Bool) {
        if hash { Task { self.hashWaiting() } }
        if watch { Task { await self.watch() } }
    }

    /// Hashes batches while any is waiting.
    private func hashWaiting() {
        while let batch = queue.withLock({ $0.nextBatch(cores: cores) }) {
            Self.hash(batch[...], contexts: [], data: [], lengths: [])
            for request in batch { request.done.resume() }
        }
        start(hash: false, watch: queue.withLock { $0.startsWatch() })
    }

    /// While chunks wait: when no batch was taken for `patience`, has what waits hashed as it is.
    private func watch() async {
        var seen = queue.withLock { $0.batches }
        while true {
            try? await Task.sleep(for: patience)
            let (hash, done) = queue.withLock { queue -> (Bool, Bool) in
                if queue.waiting.isEmpty {
                    queue.watching = false
                    return (false, true)
                }
                defer { seen = queue.batches }
                guard queue.batches == seen else { return (false, false) }
                queue.overdue = true
                return (queue.startsHasher(cores: cores), false)
            }
            if hash { hashWaiting() }
            if done { return }
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

import Crypto
import NIOCore

/// Computes MD5 and SHA-256 of a stream in one pass, on two cores. Each algorithm has its own chain of tasks, one
/// per batch, so MD5 (the slower) works through batches back to back while SHA-256 and the caller's reading and
/// writing go on beside it. At most `depth` batches wait for MD5, which bounds memory.
public struct StreamHasher: Sendable {
    private var md5: HashChain<Insecure.MD5>
    private var sha256: HashChain<SHA256>
    let depth: Int

    /// Starts from fresh states, or continues from the given ones.
    public init(depth: Int = 4, md5: Insecure.MD5 = .init(), sha256: SHA256 = .init()) {
        self.depth = depth
        self.md5 = HashChain(md5)
        self.sha256 = HashChain(sha256)
    }

    /// Queues `batch` for hashing; waits only while `depth` batches are already queued.
    public mutating func update(_ batch: [ByteBuffer]) async {
        await md5.waitUntilPending(below: depth)
        md5.append(batch)
        sha256.append(batch)
    }

    /// Waits for every queued batch and returns the final digests.
    public func finalize() async -> Checksums {
        let (md5, sha256) = await states()
        return Checksums(md5: md5.finalize().hexString, sha256: sha256.finalize().hexString)
    }

    /// Both digests of a batch, computed on the caller's thread: for a body small enough to arrive in one batch,
    /// where tasks would cost more than the hashing.
    public static func checksums(of batch: [ByteBuffer]) -> Checksums {
        var md5 = Insecure.MD5()
        var sha256 = SHA256()
        for buffer in batch {
            buffer.withUnsafeReadableBytes {
                md5.update(bufferPointer: $0)
                sha256.update(bufferPointer: $0)
            }
        }
        return Checksums(md5: md5.finalize().hexString, sha256: sha256.finalize().hexString)
    }

    /// Waits for every queued batch and returns the states, to continue hashing later.
    public func states() async -> (Insecure.MD5, SHA256) {
        async let md5 = md5.state()
        async let sha256 = sha256.state()
        return await (md5, sha256)
    }
}

/// One hash function applied to batches in order, each batch in a task that continues from the previous one.
struct HashChain<H: HashFunction & Sendable>: Sendable {
    private var pending: [Task<H, Never>] = []
    private let initial: H
    private var last: Task<H, Never>?

    init(_ initial: H) {
        self.initial = initial
    }

    mutating func append(_ batch: [ByteBuffer]) {
        let previous = last
        let initial = initial
        let task = Task {
            var hasher = await previous?.value ?? initial
            for buffer in batch {
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
            return hasher
        }
        last = task
        pending.append(task)
    }

    mutating func waitUntilPending(below limit: Int) async {
        while pending.count >= limit {
            _ = await pending.removeFirst().value
        }
    }

    func state() async -> H {
        await last?.value ?? initial
    }
}

import Crypto
import NIOCore

/// Computes MD5 and SHA-256 of a stream in one pass, on two cores. Each algorithm has its own chain of tasks, one
/// per batch, so MD5 (the slower) works through batches back to back while SHA-256 and the caller's reading and
/// writing go on beside it. At most `depth` batches wait for MD5, which bounds memory.
public struct StreamHasher: Sendable {
    private var md5 = HashChain<Insecure.MD5>()
    private var sha256 = HashChain<SHA256>()
    let depth: Int

    public init(depth: Int = 4) {
        self.depth = depth
    }

    /// Queues `batch` for hashing; waits only while `depth` batches are already queued.
    public mutating func update(_ batch: [ByteBuffer]) async {
        await md5.waitUntilPending(below: depth)
        md5.append(batch)
        sha256.append(batch)
    }

    /// Waits for every queued batch and returns the final digests.
    public func finalize() async -> Checksums {
        async let md5 = md5.finalize()
        async let sha256 = sha256.finalize()
        return await Checksums(md5: md5.hexString, sha256: sha256.hexString)
    }
}

/// One hash function applied to batches in order, each batch in a task that continues from the previous one.
struct HashChain<H: HashFunction & Sendable>: Sendable {
    private var pending: [Task<H, Never>] = []
    private var last: Task<H, Never> = Task { H() }

    mutating func append(_ batch: [ByteBuffer]) {
        let previous = last
        last = Task {
            var hasher = await previous.value
            for buffer in batch {
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            }
            return hasher
        }
        pending.append(last)
    }

    mutating func waitUntilPending(below limit: Int) async {
        while pending.count >= limit {
            _ = await pending.removeFirst().value
        }
    }

    func finalize() async -> H.Digest {
        await last.value.finalize()
    }
}

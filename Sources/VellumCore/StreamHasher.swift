import Crypto
import NIOCore

/// Computes MD5 and SHA-256 of a stream in one pass, on two cores: each batch is hashed by two child tasks
/// (one per algorithm) while the caller goes on reading and writing the next batch.
public struct StreamHasher: Sendable {
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    private var pending: Task<(Insecure.MD5, SHA256), Never>?

    public init() {}

    /// Starts hashing `batch` once the previous batch is done; returns without waiting for it.
    public mutating func update(_ batch: [ByteBuffer]) async {
        let (md5, sha256) = await settled()
        pending = Task {
            async let m = Self.hash(md5, batch)
            async let s = Self.hash(sha256, batch)
            return await (m, s)
        }
    }

    /// Waits for outstanding work and returns the final digests.
    public mutating func finalize() async -> Checksums {
        let (md5, sha256) = await settled()
        return Checksums(md5: md5.finalize().hexString, sha256: sha256.finalize().hexString)
    }

    private mutating func settled() async -> (Insecure.MD5, SHA256) {
        if let pending {
            (md5, sha256) = await pending.value
            self.pending = nil
        }
        return (md5, sha256)
    }

    private static func hash<H: HashFunction>(_ start: H, _ batch: [ByteBuffer]) -> H {
        var hasher = start
        for buffer in batch {
            buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return hasher
    }
}

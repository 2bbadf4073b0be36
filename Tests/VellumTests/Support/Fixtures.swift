import Crypto
import Foundation

/// Deterministic test bytes and their digests.
enum Fixtures {
    static func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        // Written in place: `map` with a closure costs seconds per hundred mib in debug builds, on the threads every
        // test shares.
        var state = UInt32(seed) &* 2_654_435_761 &+ 1
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard var p = buffer.baseAddress else { return }
            for _ in 0..<count {
                state = state &* 1_664_525 &+ 1_013_904_223
                p.pointee = UInt8(truncatingIfNeeded: state >> 24)
                p += 1
            }
            initialized = count
        }
    }

    static func md5(_ bytes: [UInt8]) -> String { Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }
    static func md5Base64(_ bytes: [UInt8]) -> String { Data(Insecure.MD5.hash(data: bytes)).base64EncodedString() }
    static func sha256Base64(_ bytes: [UInt8]) -> String { Data(SHA256.hash(data: bytes)).base64EncodedString() }

    /// A 1×1 PNG.
    static let png: [UInt8] = Array(
        Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
            ?? Data())
}

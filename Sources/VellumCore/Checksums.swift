import Foundation

/// The digests kept for every file: MD5 (Invenio compatibility) and SHA-256 (integrity), as lowercase hex.
public struct Checksums: Sendable, Equatable {
    public var md5: String
    public var sha256: String

    public init(md5: String, sha256: String) {
        self.md5 = md5
        self.sha256 = sha256
    }

    /// The Invenio `checksum` field: `md5:<hex>`.
    public var invenio: String { "md5:\(md5)" }
    /// The strong entity tag, quoted: `"md5:<hex>"`.
    public var etag: String { "\"md5:\(md5)\"" }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Checksums {
    /// Lowercase hex from base64 (as in `Content-MD5` or an RFC 9530 `sha-256=:...:` value), nil if malformed.
    public static func hex(fromBase64 value: some StringProtocol) -> String? {
        Data(base64Encoded: String(value)).map { $0.hexString }
    }

    /// Base64 of a hex digest (for `Repr-Digest` response headers).
    public static func base64(fromHex hex: String) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.utf8.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }
}

import Crypto
import Foundation
import VellumCore

/// A signed, expiring grant to preview one stored version: its bucket, its version id and its expiry, with an
/// HMAC-SHA256 of them (cut to 128 bits), as unpadded base64url. It grants the preview page and the resources the
/// page loads (under `/preview/`), never anything under `/files/`.
public struct PreviewTicket: Sendable, Equatable {
    public var bucketID: UUID
    public var versionID: UUID
    /// Seconds since 1970.
    public var expires: Int64

    public init(bucketID: UUID, versionID: UUID, expires: Int64) {
        self.bucketID = bucketID
        self.versionID = versionID
        self.expires = expires
    }

    /// Signs and reads tickets with one key.
    public struct Signer: Sendable {
        let key: SymmetricKey

        public init(secret: String) {
            key = secret.isEmpty ? SymmetricKey(size: .bits256) : SymmetricKey(data: SHA256.hash(data: Data(secret.utf8)))
        }

        public func token(_ ticket: PreviewTicket) -> String {
            var bytes = Self.payload(ticket)
            bytes += HMAC<SHA256>.authenticationCode(for: bytes, using: key).prefix(16)
            return bytes.base64URL
        }

        /// The ticket of `token` if its signature holds and it has not expired at `now`; nil otherwise.
        public func ticket(_ token: Substring, now: Date = Date()) -> PreviewTicket? {
            guard token.utf8.count == 75 else { return nil }
            let base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "="
            guard let data = Data(base64Encoded: base64), data.count == 56 else { return nil }
            let bytes = [UInt8](data)
            let payload = Array(bytes[0..<40])
            // Compared in constant time.
            var difference: UInt8 = 0
            for (a, b) in zip(HMAC<SHA256>.authenticationCode(for: payload, using: key).prefix(16), bytes[40...]) { difference |= a ^ b }
            guard difference == 0 else { return nil }
            let ticket = PreviewTicket(
                bucketID: UUID(uuid: Self.uuid(bytes[0..<16])), versionID: UUID(uuid: Self.uuid(bytes[16..<32])),
                expires: bytes[32..<40].reduce(Int64(0)) { $0 << 8 | Int64($1) })
            return Double(ticket.expires) >= now.timeIntervalSince1970 ? ticket : nil
        }

        static func payload(_ ticket: PreviewTicket) -> [UInt8] {
            var bytes = withUnsafeBytes(of: ticket.bucketID.uuid) { Array($0) } + withUnsafeBytes(of: ticket.versionID.uuid) { Array($0) }
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: ticket.expires >> Int64(shift))) }
            return bytes
        }

        static func uuid(_ bytes: ArraySlice<UInt8>) -> uuid_t {
            let b = Array(bytes)
            return (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        }
    }
}

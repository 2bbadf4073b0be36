import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
/// the canonical request, the string to sign and the HMAC-SHA256 key chain, with swift-crypto. Object bodies are
/// sent as `UNSIGNED-PAYLOAD` (their integrity is checked by MD5 instead); small XML bodies with their SHA-256.
public struct S3Signer: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    public let credentials: Credentials
    public let region: String

    /// The payload hash of a body not signed (S3 still wants the header).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The SHA-256 of no bytes.
    public static let emptyPayload = hex(SHA256.hash(data: [UInt8]()))

    public init(credentials: Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The headers to add to a request so that S3 accepts it: `x-amz-date`, `x-amz-content-sha256`, the session
    /// token if any, and `Authorization`. `headers` must hold `host` and every other header that will be sent and
    /// signed (`range`, `content-md5`, `content-type`, `x-amz-*`); `path` is the unencoded absolute path
    /// (`/bucket/key` for path-style addressing) and `query` the unencoded query items.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
        payloadHash: String, date: Date
    ) -> [(String, String)] {
        let stamp = Stamp(date)
        var added = [("x-amz-date", stamp.time), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let canonical = Self.canonicalHeaders(headers + added)
        let request = [
            method, S3URIEncoding.path(path), Self.canonicalQuery(query), canonical.text, canonical.signed, payloadHash,
        ].joined(separator: "\n")
        let signature = self.signature(of: request, stamp: stamp)
        added.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(stamp)), SignedHeaders=\(canonical.signed), "
                    + "Signature=\(signature)"
            ))
        return added
    }

    /// A presigned URL's query (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html): the
    /// `X-Amz-*` items and `extra` (such as `response-content-disposition`), signed for `expires` seconds, with only
    /// `host` signed. Returns the encoded query string, signature last.
    public func presignedQuery(
        method: String, path: String, host: String, extra: [(String, String)] = [], expires: Int, date: Date
    ) -> String {
        let stamp = Stamp(date)
        var query =
            extra + [
                ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"),
                ("X-Amz-Date", stamp.time), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host"),
            ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let request = [
            method, S3URIEncoding.path(path), Self.canonicalQuery(query), "host:\(host)\n", "host", Self.unsignedPayload,
        ].joined(separator: "\n")
        return Self.canonicalQuery(query) + "&X-Amz-Signature=" + signature(of: request, stamp: stamp)
    }

    /// The string to sign's hash input and the signature of a canonical request (exposed for tests).
    func signature(of canonicalRequest: String, stamp: Stamp) -> String {
        let toSign = [
            "AWS4-HMAC-SHA256", stamp.time, scope(stamp), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(toSign.utf8), using: signingKey(stamp)))
    }

    private func scope(_ stamp: Stamp) -> String { "\(stamp.day)/\(region)/s3/aws4_request" }

    private func signingKey(_ stamp: Stamp) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [stamp.day, region, "s3", "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// Sorted `name=value` pairs, both encoded; an item without a value is `name=`.
    static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map {
            (S3URIEncoding.component($0.0), S3URIEncoding.component($0.1))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Lower-case names, sorted, values trimmed with inner runs of spaces collapsed; and the signed-header list.
    static func canonicalHeaders(_ headers: [(String, String)]) -> (text: String, signed: String) {
        let sorted = headers.map { name, value in
            (name.lowercased(), value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))
        }.sorted { $0.0 < $1.0 }
        return (sorted.map { "\($0.0):\($0.1)\n" }.joined(), sorted.map(\.0).joined(separator: ";"))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// `x-amz-date` (`20130524T000000Z`) and its day, in UTC.
    struct Stamp {
        let time: String
        let day: String

        init(_ date: Date) {
            var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
            var parts = tm()
            gmtime_r(&seconds, &parts)
            day = String(format: "%04d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
            time = day + String(format: "T%02d%02d%02dZ", parts.tm_hour, parts.tm_min, parts.tm_sec)
        }
    }
}

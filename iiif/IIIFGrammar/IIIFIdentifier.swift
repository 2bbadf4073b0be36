import Foundation

/// A IIIF identifier, percent-decoded: `{bucket}:{key}` (the head version) or `{bucket}:{version_id}:{key}`. A key
/// that itself starts with a version id and a colon must be named with its version.
public struct IIIFIdentifier: Hashable, Sendable {
    public var bucketID: UUID
    public var versionID: UUID?
    public var key: String

    public init(bucketID: UUID, versionID: UUID? = nil, key: String) {
        self.bucketID = bucketID
        self.versionID = versionID
        self.key = key
    }

    /// Nil when `text` names no object this way (a 404).
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let bucket = UUID(uuidString: String(text[..<colon])) else {
            return nil
        }
        var rest = text[text.index(after: colon)...]
        if rest.count > 37, let version = UUID(uuidString: String(rest.prefix(36))),
            rest[rest.index(rest.startIndex, offsetBy: 36)] == ":"
        {
            versionID = version
            rest = rest.dropFirst(37)
        }
        guard !rest.isEmpty else { return nil }
        bucketID = bucket
        key = String(rest)
    }

    /// The identifier as a URL's path segment: `/` in the key as `%2F` (and `;`, `%`, `?`, `#` escaped too).
    public var encoded: String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~!$&'()*+,=:@")
        let key = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
        return bucketID.uuidString.lowercased() + ":" + (versionID.map { $0.uuidString.lowercased() + ":" } ?? "") + key
    }
}

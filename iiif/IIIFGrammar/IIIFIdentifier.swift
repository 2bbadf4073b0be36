import Foundation

/// A IIIF identifier, percent-decoded: `{bucket}:{key}` (the head version) or `{bucket}:{version_id}:{key}`, each
/// with an optional page suffix `;N` (1 to 100000, no leading zero) naming page N of a PDF or multi-page TIFF; no
/// suffix is page 1. A key that itself starts with a version id and a colon must be named with its version; a key
/// that itself ends in `;` and digits must be named with its page (`;1`).
public struct IIIFIdentifier: Hashable, Sendable {
    public var bucketID: UUID
    public var versionID: UUID?
    public var key: String
    /// From 1.
    public var page: Int

    /// The largest page number an identifier can name.
    public static let maxPage = 100_000

    public init(bucketID: UUID, versionID: UUID? = nil, key: String, page: Int = 1) {
        self.bucketID = bucketID
        self.versionID = versionID
        self.key = key
        self.page = page
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
        page = 1
        if let (key, number) = Self.pageSuffix(rest) {
            rest = key
            page = number
        }
        guard !rest.isEmpty else { return nil }
        bucketID = bucket
        key = String(rest)
    }

    /// `text` without a trailing `;N` and N, if it has one.
    static func pageSuffix(_ text: Substring) -> (Substring, Int)? {
        guard let semicolon = text.lastIndex(of: ";") else { return nil }
        let digits = text[text.index(after: semicolon)...]
        guard let first = digits.first, first != "0", digits.count <= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let number = Int(digits), number <= maxPage
        else { return nil }
        return (text[..<semicolon], number)
    }

    /// The identifier as a URL's path segment: `/` in the key as `%2F` (and `;`, `%`, `?`, `#` escaped too), then
    /// the page suffix when the page is not the first or the key itself ends like one.
    public var encoded: String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~!$&'()*+,=:@")
        let escaped = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
        let suffix = page != 1 || Self.pageSuffix(Substring(key)) != nil ? ";\(page)" : ""
        return bucketID.uuidString.lowercased() + ":" + (versionID.map { $0.uuidString.lowercased() + ":" } ?? "") + escaped + suffix
    }

    /// The same image, page `page`.
    public func page(_ page: Int) -> IIIFIdentifier {
        var other = self
        other.page = page
        return other
    }
}

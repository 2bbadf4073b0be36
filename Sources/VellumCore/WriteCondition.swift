import Foundation

/// `If-Match` / `If-None-Match` on a write (RFC 9110 §13.1), checked against the key's head: once before the body
/// is read, and again under the write lock when the new version commits, so that of two concurrent create-only
/// writes exactly one wins. A delete marker counts as no object.
public struct WriteCondition: Sendable, Equatable {
    public var ifMatch: String?
    public var ifNoneMatch: String?

    public init(ifMatch: String? = nil, ifNoneMatch: String? = nil) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
    }

    /// Throws 412 unless a write over `head` may go ahead.
    public func check(_ head: ObjectVersion?) throws {
        let etag = head?.file?.checksums.etag
        if let ifMatch {
            guard let etag, Self.matches(ifMatch, etag: etag, weak: false) else { throw FilesError.preconditionFailed }
        }
        if let ifNoneMatch, let etag, Self.matches(ifNoneMatch, etag: etag, weak: true) {
            throw FilesError.preconditionFailed
        }
    }

    /// Whether a comma-separated entity-tag list (or `*`) contains `etag`.
    public static func matches(_ list: String, etag: String, weak: Bool) -> Bool {
        for raw in list.split(separator: ",") {
            var tag = raw.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") {
                guard weak else { continue }
                tag.removeFirst(2)
            }
            if tag == etag { return true }
        }
        return false
    }
}

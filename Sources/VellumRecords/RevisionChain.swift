import Crypto
import Foundation
import JSONSchema

/// The revisions of a record are kept whole, each with the SHA-256 of the previous one's hash followed by its own
/// canonical JSON (RFC 8785): changing, removing or reordering any stored revision breaks every hash after it, so
/// a record's history is tamper-evident.
public enum RevisionChain {
    /// The hash of `document` after a revision of hash `previous` (nil for the first), in lower-case hex.
    public static func hash(after previous: String?, _ document: JSON) -> String {
        var hasher = SHA256()
        if let previous { hasher.update(data: Array(previous.utf8)) }
        hasher.update(data: document.canonical)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The number (from 1) of the first revision whose stored hash is not the one its document and its
    /// predecessor give, or nil when the whole chain holds.
    public static func firstBroken(_ revisions: [(document: JSON, hash: String)]) -> Int? {
        var previous: String?
        for (index, revision) in revisions.enumerated() {
            guard hash(after: previous, revision.document) == revision.hash else { return index + 1 }
            previous = revision.hash
        }
        return nil
    }
}

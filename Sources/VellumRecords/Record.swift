import Foundation
import JSONSchema

/// A record: its id (a decimal number, never reused), the concept its versions share and its place among them, its
/// state, its current revision (from 1), its owner (a token's id), the bucket of its files, and its document — what
/// every revision keeps whole: `{"metadata", "$schema", "access", "files": {"enabled"}}`.
public struct Record: Sendable, Equatable {
    public enum Status: String, Sendable {
        case draft
        case published
        case deleted
    }

    public var id: Int64
    public var conceptID: Int64
    /// Its place among the concept's versions, from 1: a draft has the one it will be published as (so a concept
    /// has one draft at a time).
    public var versionIndex: Int
    /// Whether it is the concept's newest published version.
    public var isLatest: Bool
    public var status: Status
    public var revision: Int
    public var owner: String?
    public var bucketID: UUID
    public var document: JSON
    public var created: Date
    public var updated: Date
    /// Why and when a published record was removed (`{"reason", "removed_by", "removal_date"}`), once it is.
    public var tombstone: JSON?

    public init(
        id: Int64, conceptID: Int64, versionIndex: Int = 1, isLatest: Bool = false, status: Status, revision: Int,
        owner: String?, bucketID: UUID, document: JSON, created: Date, updated: Date, tombstone: JSON? = nil
    ) {
        self.id = id
        self.conceptID = conceptID
        self.versionIndex = versionIndex
        self.isLatest = isLatest
        self.status = status
        self.revision = revision
        self.owner = owner
        self.bucketID = bucketID
        self.document = document
        self.created = created
        self.updated = updated
        self.tombstone = tombstone
    }

    public var access: RecordAccess { (try? RecordAccess(json: document["access"])) ?? RecordAccess() }

    /// The day a published record's embargo lifts, while it is still ahead: the embargo worker then opens its files.
    public var embargoAhead: String? {
        guard status == .published, let embargo = access.embargo, let lifts = embargo.lifts, lifts > Date() else { return nil }
        return embargo.until
    }
}

/// One revision of a record, kept whole: who made it and when, its document, and its place in the hash chain.
public struct RecordRevision: Sendable, Equatable {
    public var recordID: Int64
    public var revision: Int
    public var created: Date
    public var actor: String?
    public var hash: String
    public var document: JSON

    public init(recordID: Int64, revision: Int, created: Date, actor: String?, hash: String, document: JSON) {
        self.recordID = recordID
        self.revision = revision
        self.created = created
        self.actor = actor
        self.hash = hash
        self.document = document
    }
}

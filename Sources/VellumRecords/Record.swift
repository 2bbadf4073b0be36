import Foundation
import JSONSchema

/// A record: its id (a decimal number, never reused), the concept its versions share, its state, its current
/// revision (from 1), its owner (a token's id), the bucket of its files, and its document — what every revision
/// keeps whole: `{"metadata", "$schema", "access", "files": {"enabled"}}`.
public struct Record: Sendable, Equatable {
    public enum Status: String, Sendable {
        case draft
        case published
        case deleted
    }

    public var id: Int64
    public var conceptID: Int64
    public var status: Status
    public var revision: Int
    public var owner: String?
    public var bucketID: UUID
    public var document: JSON
    public var created: Date
    public var updated: Date

    public init(
        id: Int64, conceptID: Int64, status: Status, revision: Int, owner: String?, bucketID: UUID, document: JSON,
        created: Date, updated: Date
    ) {
        self.id = id
        self.conceptID = conceptID
        self.status = status
        self.revision = revision
        self.owner = owner
        self.bucketID = bucketID
        self.document = document
        self.created = created
        self.updated = updated
    }

    public var access: RecordAccess { (try? RecordAccess(json: document["access"])) ?? RecordAccess() }
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

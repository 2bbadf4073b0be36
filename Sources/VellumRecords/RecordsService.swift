import Foundation
import JSONSchema
import VellumCore

/// Records' drafts, their changes and their history (api.md §7), over the files store: a draft and its bucket are
/// made in one transaction; every change is a new revision kept whole and chained to the previous one by its hash
/// (`RevisionChain`); `If-Match` is checked the same way by every change (the revision the client last saw).
public struct RecordsService: Sendable {
    let files: FilesContext
    public let schemas: RecordSchemas
    /// Where records are published: their URLs, the publisher exports name, the DOI prefix.
    public let site: RecordsSite
    var doiPrefix: String? { site.doiPrefix }
    /// The search index outside the database, if there is one (OpenSearch); nil: the database's own.
    public let searchIndex: (any SearchIndex)?
    let outboxGate = SerialGate()

    public init(files: FilesContext, site: RecordsSite = RecordsSite(), searchIndex: (any SearchIndex)? = nil) {
        self.files = files
        self.schemas = RecordSchemas(store: files.store)
        self.site = site
        self.searchIndex = searchIndex
    }

    var store: any MetadataStore { files.store }

    /// What keeps a record from being published: its metadata's errors against its schema, as JSON pointers from
    /// the record's root. Values of the wrong JSON type, and an unknown `$schema`, are refused at once instead
    /// (`invalid`): a draft may be incomplete, not malformed.
    public func errors(_ document: JSON) async throws -> [FieldError] {
        guard let schema = try await schemas.schema(for: document["$schema"]?.stringValue ?? "") else {
            throw RecordsError.invalid([("/$schema", "names no known schema")])
        }
        let errors = schema.validate(document["metadata"] ?? .object([:])).map {
            (field: "/metadata" + $0.instanceLocation, message: $0.message, type: $0.keywordLocation.hasSuffix("/type"))
        }
        let wrongTypes = errors.filter(\.type)
        if !wrongTypes.isEmpty { throw RecordsError.invalid(wrongTypes.map { ($0.field, $0.message) }) }
        return errors.map { FieldError(field: $0.field, message: $0.message) }
    }

    /// The errors of a document that must be publishable (a record being published, or a published one changed).
    func requirePublishable(_ document: JSON) async throws {
        let errors = try await errors(document)
        if !errors.isEmpty { throw RecordsError.invalid(errors.map { ($0.field, $0.message) }) }
    }

    /// A new draft of the body `{"metadata", "$schema"?, "access"?, "files": {"enabled"}?}`, with a bucket of its own
    /// owned by the same token, and its first revision.
    public func createDraft(_ body: JSON, by principal: Principal) async throws -> Record {
        guard principal.isAuthenticated else { throw FilesError.unauthenticated }
        let document = try Self.document(body)
        _ = try await errors(document)
        return try await store.write { session in
            let ids = try await session.queries(RecordQueries.self).nextRecordIDs(2)
            return try await insertDraft(id: ids[0], concept: ids[1], index: 1, document, owner: principal.tokenID, by: principal, session)
        }
    }

    /// A draft, its bucket and its first revision.
    func insertDraft(
        id: Int64, concept: Int64, index: Int, _ document: JSON, owner: String?, by principal: Principal, _ session: any MetadataSession
    ) async throws -> Record {
        let now = Date()
        let bucket = try await insertBucket(UUID(), owner: owner, created: now, session)
        let record = Record(
            id: id, conceptID: concept, versionIndex: index, status: .draft, revision: 1, owner: owner, bucketID: bucket.id,
            document: document, created: now, updated: now)
        let records = try session.queries(RecordQueries.self)
        try await records.insertRecord(record)
        try await Self.reservePIDs(of: record, session)
        try await records.insertRevision(
            RecordRevision(
                recordID: id, revision: 1, created: now, actor: principal.tokenID, hash: RevisionChain.hash(after: nil, document),
                document: document))
        return record
    }

    /// A record's bucket, in the default location with the default limits.
    func insertBucket(_ id: UUID, owner: String?, created: Date, _ session: any MetadataSession) async throws -> Bucket {
        guard let location = try await session.locations().first(where: \.isDefault) else {
            throw FilesError(.failure, "No default storage location is configured.")
        }
        let bucket = Bucket(
            id: id, owner: owner, location: location.name, quotaSize: files.bucketDefaults.quotaSize,
            maxFileSize: files.bucketDefaults.maxFileSize, created: created, updated: created)
        try await session.insertBucket(bucket)
        return bucket
    }

    /// The record, if `principal` may see it: drafts and restricted records only by their owner and admins; a
    /// removed record is gone (410) for everyone.
    public func record(_ id: Int64, by principal: Principal) async throws -> Record {
        let record = try await store.read { try await $0.queries(RecordQueries.self).record(id) }
        return try Self.visible(record, principal)
    }

    /// Replaces the document (`metadata`, `$schema`, `access`, `files.enabled`) with the body's, as a new revision;
    /// `ifMatch`, when given, must be the current revision. Only the owner and admins may; a published record stays
    /// publishable and keeps its files.
    public func replace(_ id: Int64, with body: JSON, ifMatch: Int?, by principal: Principal) async throws -> Record {
        let document = try Self.document(body)
        _ = try await errors(document)
        return try await change(id, ifMatch: ifMatch, by: principal) { record, _ in
            if record.status == .published {
                try await requirePublishable(document)
                if document["files"] != record.document["files"] {
                    throw RecordsError.invalid([("/files/enabled", "cannot change once the record is published")])
                }
            }
            record.document = document
        }
    }

    /// How a PATCH body says what changes.
    public enum PatchKind: Sendable {
        /// RFC 6902 (`application/json-patch+json`): operations on the record's JSON (`/metadata/title`).
        case jsonPatch
        /// RFC 7396 (`application/merge-patch+json`).
        case mergePatch
    }

    /// Changes the record's document by a patch, as a new revision: all of it or nothing (a patch that cannot apply
    /// is refused, the record unchanged), then the same checks as `replace`.
    public func patch(_ id: Int64, _ patch: JSON, kind: PatchKind, ifMatch: Int?, by principal: Principal) async throws -> Record {
        let current = try await record(id, by: principal)
        let patched: JSON
        switch kind {
        case .jsonPatch:
            do { patched = try JSONPatch.apply(patch, to: current.document) } catch {
                throw RecordsError(.conflict, "The patch cannot be applied: \(error).")
            }
        case .mergePatch:
            patched = current.document.merging(patch: patch)
        }
        // The revision read is the one the patch applies to: a change meanwhile is refused.
        return try await replace(id, with: patched, ifMatch: ifMatch ?? current.revision, by: principal)
    }

    /// One change of a record by its owner or an admin, in one transaction: `If-Match` checked, `body` changes the
    /// record (in the transaction), and, if it did, a new revision chained to the last; the record's bucket then
    /// opened, closed or locked as its state says, and the concept's latest version marked when its state changed. Returns the record as it is now.
    func change(
        _ id: Int64, ifMatch: Int?, by principal: Principal, adminOnly: Bool = false,
        _ body: @escaping @Sendable (inout Record, any MetadataSession) async throws -> Void
    ) async throws -> Record {
        try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            var record = try Self.editable(try await records.record(id), ifMatch: ifMatch, by: principal, adminOnly: adminOnly)
            let before = record
            try await body(&record, session)
            if record == before { return record }
            let previous = try await records.lastRevisionHash(of: id)
            let now = Date()
            record.revision += 1
            record.updated = now
            guard try await records.updateRecord(record) else {
                throw RecordsError(.revisionMismatch, "The record was changed meanwhile; read it again.")
            }
            try await records.insertRevision(
                RecordRevision(
                    recordID: id, revision: record.revision, created: now, actor: principal.tokenID,
                    hash: RevisionChain.hash(after: previous, record.document), document: record.document))
            if record.status != before.status {
                // Published or removed: the concept's latest version is its newest published one.
                try await records.markLatest(concept: record.conceptID)
                record.isLatest = record.status == .published
            }
            try await Self.settleBucket(of: record, session)
            try await syncPIDs(from: before, to: record, session)
            return record
        }
    }

    /// The record as it is in a change's transaction, if `principal` may change it and `ifMatch` (when given) is its
    /// current revision: the one rule every verb applies.
    static func editable(_ record: Record?, ifMatch: Int?, by principal: Principal, adminOnly: Bool = false) throws -> Record {
        let record = try visible(record, principal)
        guard canEdit(record, principal), principal.isAdmin || !adminOnly else { throw FilesError.forbidden }
        if let ifMatch, ifMatch != record.revision {
            throw RecordsError(.revisionMismatch, "The record is at revision \(record.revision), not \(ifMatch).")
        }
        return record
    }

    /// Locks a published (or removed) record's bucket, and opens it to everyone exactly when the record's files
    /// access allows now.
    static func settleBucket(of record: Record, _ session: any MetadataSession) async throws {
        guard var bucket = try await session.bucket(record.bucketID) else { return }
        let before = bucket
        bucket.locked = bucket.locked || record.status != .draft
        bucket.isPublic = record.status == .published && record.access.isPublic(at: Date()).files
        guard bucket != before else { return }
        bucket.updated = Date()
        try await session.updateBucket(bucket)
    }

    /// The record's revisions, oldest first, once their hash chain is checked.
    public func revisions(_ id: Int64, by principal: Principal) async throws -> [RecordRevision] {
        let (record, revisions) = try await store.read { session in
            let records = try session.queries(RecordQueries.self)
            return (try await records.record(id), try await records.revisions(of: id))
        }
        // A removed record's history is for admins: what was removed may be why it was.
        guard let record, Self.canSee(record, principal), record.status != .deleted || principal.isAdmin else { throw Self.notFound }
        if let broken = RevisionChain.firstBroken(revisions.map { ($0.document, $0.hash) }) {
            throw RecordsError(.tampered, "Revision \(broken) of record \(id) does not match its hash.")
        }
        return revisions
    }

    static let notFound = RecordsError(.notFound, "No such record.")

    /// The record if `principal` may see it; else not found (or gone, for a removed record).
    static func visible(_ record: Record?, _ principal: Principal) throws -> Record {
        guard let record, canSee(record, principal) else { throw notFound }
        if record.status == .deleted {
            let reason = record.tombstone?["reason"]?.stringValue ?? ""
            throw RecordsError(
                .gone, "The record was removed" + (reason.isEmpty ? "." : ": \(reason)"),
                tombstone: .object([
                    "removed_at": record.tombstone?["removal_date"] ?? .null, "reason": .string(reason),
                    "citation": record.tombstone?["citation"] ?? .null,
                ]))
        }
        return record
    }

    static func canEdit(_ record: Record, _ principal: Principal) -> Bool {
        principal.isAdmin || (principal.tokenID != nil && principal.tokenID == record.owner)
    }

    static func canSee(_ record: Record, _ principal: Principal) -> Bool {
        switch record.status {
        case .draft: canEdit(record, principal)
        case .published: canEdit(record, principal) || record.access.isPublic(at: Date()).record
        // Its tombstone is public: a citation of it must resolve.
        case .deleted: true
        }
    }

    /// A record's document from a request body: its JSON types checked (a body that is not an object, or a member
    /// of the wrong type, is refused with every wrong member named); members the server writes (`id`, `links`,
    /// `revision_id`, …) are ignored, as clients send back what they read.
    static func document(_ body: JSON) throws(RecordsError) -> JSON {
        guard body.objectValue != nil else { throw RecordsError.invalid([("", "must be a JSON object")]) }
        var problems: [(String, String)] = []
        let metadata = body["metadata"] ?? .object([:])
        if metadata.objectValue == nil { problems.append(("/metadata", "must be an object")) }
        let schema = body["$schema"] ?? .string("local://" + RecordSchemaV1.name)
        if schema.stringValue == nil { problems.append(("/$schema", "must be a string")) }
        var access = RecordAccess()
        do { access = try RecordAccess(json: body["access"]) } catch { problems += error.fieldErrors.map { ($0.field, $0.message) } }
        var enabled = true
        if let files = body["files"], files != .null {
            if let flag = files["enabled"] {
                if let value = flag.boolValue { enabled = value } else { problems.append(("/files/enabled", "must be true or false")) }
            }
            if files.objectValue == nil { problems.append(("/files", "must be an object")) }
        }
        if !problems.isEmpty { throw RecordsError.invalid(problems.sorted { $0.0 < $1.0 }) }
        return .object(["metadata": metadata, "$schema": schema, "access": access.json, "files": .object(["enabled": .bool(enabled)])])
    }
}

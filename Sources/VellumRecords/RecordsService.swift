import Foundation
import JSONSchema
import VellumCore

/// Records' drafts, their changes and their history (api.md §7), over the files store: a draft and its bucket are
/// made in one transaction; every change is a new revision kept whole and chained to the previous one by its hash
/// (`RevisionChain`); `If-Match` is checked the same way by every change (the revision the client last saw).
public struct RecordsService: Sendable {
    let store: any MetadataStore
    let bucketDefaults: BucketLimits
    /// The schemas records may name, by `$schema` (so far the built-in one, `local://record-v1.0.0.json`).
    let schemas: [String: CompiledSchema]

    public init(store: any MetadataStore, bucketDefaults: BucketLimits) {
        self.store = store
        self.bucketDefaults = bucketDefaults
        let builtIn = try! CompiledSchema(try! JSON(parsing: RecordSchemaV1.text))  // a constant of this module
        self.schemas = ["local://" + RecordSchemaV1.name: builtIn]
    }

    /// What keeps a record from being published: its metadata's errors against its schema, as JSON pointers from
    /// the record's root. Values of the wrong JSON type, and an unknown `$schema`, are refused at once instead
    /// (`invalid`): a draft may be incomplete, not malformed.
    public func errors(_ document: JSON) throws(RecordsError) -> [FieldError] {
        let name = document["$schema"]?.stringValue ?? ""
        guard let schema = schemas[name] ?? schemas[Self.local(name)] else {
            throw RecordsError.invalid([("/$schema", "names no known schema")])
        }
        let errors = schema.validate(document["metadata"] ?? .object([:])).map {
            (field: "/metadata" + $0.instanceLocation, message: $0.message, type: $0.keywordLocation.hasSuffix("/type"))
        }
        let wrongTypes = errors.filter(\.type)
        if !wrongTypes.isEmpty { throw RecordsError.invalid(wrongTypes.map { ($0.field, $0.message) }) }
        return errors.map { FieldError(field: $0.field, message: $0.message) }
    }

    /// `{public url}/schemas/{name}` → `local://{name}`.
    static func local(_ name: String) -> String {
        guard let range = name.range(of: "/schemas/", options: .backwards) else { return name }
        return "local://" + name[range.upperBound...]
    }

    /// A new draft of the body `{"metadata", "$schema"?, "access"?, "files": {"enabled"}?}`, with a bucket of its own
    /// owned by the same token, and its first revision.
    public func createDraft(_ body: JSON, by principal: Principal) async throws -> Record {
        guard principal.isAuthenticated else { throw FilesError.unauthenticated }
        let document = try Self.document(body)
        _ = try errors(document)
        return try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            guard let location = try await session.locations().first(where: \.isDefault) else {
                throw FilesError(.failure, "No default storage location is configured.")
            }
            let now = Date()
            let bucket = Bucket(
                id: UUID(), owner: principal.tokenID, location: location.name, quotaSize: bucketDefaults.quotaSize,
                maxFileSize: bucketDefaults.maxFileSize, created: now, updated: now)
            try await session.insertBucket(bucket)
            let ids = try await records.nextRecordIDs(2)
            let record = Record(
                id: ids[0], conceptID: ids[1], status: .draft, revision: 1, owner: principal.tokenID, bucketID: bucket.id,
                document: document, created: now, updated: now)
            try await records.insertRecord(record)
            try await records.insertRevision(
                RecordRevision(
                    recordID: record.id, revision: 1, created: now, actor: principal.tokenID,
                    hash: RevisionChain.hash(after: nil, document), document: document))
            return record
        }
    }

    /// The record, if `principal` may see it: drafts and restricted records only by their owner and admins.
    public func record(_ id: Int64, by principal: Principal) async throws -> Record {
        let record = try await store.read { try await $0.queries(RecordQueries.self).record(id) }
        guard let record, Self.canSee(record, principal) else { throw Self.notFound }
        return record
    }

    /// Replaces the document (`metadata`, `$schema`, `access`, `files.enabled`) with the body's, as a new revision;
    /// `ifMatch`, when given, must be the current revision. Only the owner and admins may.
    public func replace(_ id: Int64, with body: JSON, ifMatch: Int?, by principal: Principal) async throws -> Record {
        let document = try Self.document(body)
        _ = try errors(document)
        return try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            guard var record = try await records.record(id), Self.canSee(record, principal) else { throw Self.notFound }
            guard Self.canEdit(record, principal) else { throw FilesError.forbidden }
            if let ifMatch, ifMatch != record.revision {
                throw RecordsError(.revisionMismatch, "The record is at revision \(record.revision), not \(ifMatch).")
            }
            if document == record.document { return record }
            let previous = try await records.lastRevisionHash(of: id)
            let now = Date()
            record.document = document
            record.revision += 1
            record.updated = now
            guard try await records.updateRecord(record) else {
                throw RecordsError(.revisionMismatch, "The record was changed meanwhile; read it again.")
            }
            try await records.insertRevision(
                RecordRevision(
                    recordID: id, revision: record.revision, created: now, actor: principal.tokenID,
                    hash: RevisionChain.hash(after: previous, document), document: document))
            return record
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

    /// The record's revisions, oldest first, once their hash chain is checked.
    public func revisions(_ id: Int64, by principal: Principal) async throws -> [RecordRevision] {
        let (record, revisions) = try await store.read { session in
            let records = try session.queries(RecordQueries.self)
            return (try await records.record(id), try await records.revisions(of: id))
        }
        guard let record, Self.canSee(record, principal) else { throw Self.notFound }
        if let broken = RevisionChain.firstBroken(revisions.map { ($0.document, $0.hash) }) {
            throw RecordsError(.tampered, "Revision \(broken) of record \(id) does not match its hash.")
        }
        return revisions
    }

    static let notFound = RecordsError(.notFound, "No such record.")

    static func canEdit(_ record: Record, _ principal: Principal) -> Bool {
        principal.isAdmin || (principal.tokenID != nil && principal.tokenID == record.owner)
    }

    static func canSee(_ record: Record, _ principal: Principal) -> Bool {
        if canEdit(record, principal) { return record.status != .deleted || principal.isAdmin }
        return record.status == .published && record.access.isPublic(at: Date()).record
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

import Foundation
import JSONSchema
import RecordExports
import VellumCore

/// Publishing, versions, and removal (api.md §7).
extension RecordsService {
    /// Publishes a draft: its metadata must be valid against its schema (every error is listed otherwise), its bucket
    /// must hold a file unless `files.enabled` is false (and none if it is); its bucket is then locked, and the record
    /// becomes the concept's latest version. The work is one transaction, in proportion to the draft's files only.
    public func publish(_ id: Int64, ifMatch: Int?, by principal: Principal) async throws -> Record {
        let draft = try await record(id, by: principal)
        guard draft.status == .draft else { throw RecordsError(.conflict, "The record is already published.") }
        try await requirePublishable(draft.document)
        return try await change(id, ifMatch: ifMatch ?? draft.revision, by: principal) { record, session in
            guard record.status == .draft else { throw RecordsError(.conflict, "The record is already published.") }
            let files = try await session.headTotals(bucketID: record.bucketID).count
            let enabled = record.document["files"]?["enabled"]?.boolValue ?? true
            if enabled && files == 0 {
                throw RecordsError.invalid([("/files", "a record is published with at least one file, or with files.enabled false")])
            }
            if !enabled && files > 0 {
                throw RecordsError.invalid([("/files/enabled", "is false, but the record's bucket holds files")])
            }
            record.status = .published
        }
    }

    /// A new draft version of a published record: the concept's newest version's document, and a new bucket that
    /// holds the same files (sharing their bytes). A concept has one draft at a time: when it already has one, that
    /// draft is returned (`created` false).
    public func newVersion(of id: Int64, by principal: Principal) async throws -> (record: Record, created: Bool) {
        let source = try await record(id, by: principal)
        guard source.status == .published else { throw RecordsError(.conflict, "Only a published record has new versions.") }
        guard Self.canEdit(source, principal) else { throw FilesError.forbidden }
        return try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            guard let newest = try await records.newestVersion(concept: source.conceptID) else { throw Self.notFound }
            if newest.status == .draft { return (newest, false) }
            let id = try await records.nextRecordIDs(1)[0]
            let draft = try await insertDraft(
                id: id, concept: source.conceptID, index: newest.versionIndex + 1, newest.document, owner: newest.owner,
                by: principal, session)
            try await BucketService.shareFiles(of: newest.bucketID, into: draft.bucketID, session)
            return (draft, true)
        }
    }

    /// The concept's published versions that `principal` may see, newest first (removed ones left out).
    public func versions(of id: Int64, by principal: Principal) async throws -> [Record] {
        let record = try await record(id, by: principal)
        let versions = try await store.read { try await $0.queries(RecordQueries.self).publishedVersions(concept: record.conceptID) }
        return versions.filter { Self.canSee($0, principal) }
    }

    /// Deletes a draft with its bucket (the files no other version shares are freed), or — admins only — removes a
    /// published record, keeping a tombstone that says why (`reason`) and closing its files.
    public func delete(_ id: Int64, reason: String?, ifMatch: Int?, by principal: Principal) async throws {
        let current = try await record(id, by: principal)
        if current.status == .published {
            guard principal.isAdmin else { throw FilesError.forbidden }
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw RecordsError.invalid([("/reason", "is required: why the published record is removed")])
            }
            // How it was cited, kept with the reason: a tombstone must still say what is gone.
            let citation = Exports.citation(try await exportRecord(current) { _ in "" })
            _ = try await change(id, ifMatch: ifMatch, by: principal, adminOnly: true) { record, _ in
                guard record.status == .published else { throw RecordsError(.conflict, "The record is not published.") }
                record.status = .deleted
                record.tombstone = .object([
                    "reason": .string(reason), "removed_by": principal.tokenID.map(JSON.string) ?? .null,
                    "removal_date": .string(ISO8601DateFormatter().string(from: Date())), "citation": .string(citation),
                ])
            }
            return
        }
        let orphans: [FileInstance] = try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            let record = try Self.editable(try await records.record(id), ifMatch: ifMatch, by: principal)
            guard record.status == .draft else { throw RecordsError(.conflict, "The record was published meanwhile.") }
            try await records.deleteRecord(id)
            try await Self.deletePIDs(ofDraft: record, session)
            guard try await session.bucket(record.bucketID) != nil else { return [] }
            return try await BucketService.removeWithContents(record.bucketID, session)
        }
        await BucketService(context: files).purge(orphans)
    }

    /// Opens the files of published records whose embargo has lifted (their metadata opens by itself, as it is
    /// read): what the embargo worker does. Returns how many it opened.
    public func liftEmbargoes(now: Date = Date()) async throws -> Int {
        let day = String(ISO8601DateFormatter().string(from: now).prefix(10))
        let due = try await store.read { try await $0.queries(RecordQueries.self).embargoesDue(on: day) }
        for record in due {
            try await store.write { session in
                let records = try session.queries(RecordQueries.self)
                guard let current = try await records.record(record.id) else { return }
                try await Self.settleBucket(of: current, session)
                try await records.embargoLifted(record.id)
            }
        }
        return due.count
    }
}

/// What a record's JSON says of its files: how many and their bytes, and the first ones when the caller may read them.
public struct RecordFiles: Sendable {
    public var count: Int
    public var bytes: Int64
    public var entries: [ObjectVersion]
}

extension RecordsService {
    /// The record's files (head versions with content), the first `limit` listed when `principal` may read them.
    public func files(of record: Record, by principal: Principal, limit: Int = 100) async throws -> RecordFiles {
        let readable = Self.canEdit(record, principal) || (record.status == .published && record.access.isPublic(at: Date()).files)
        return try await store.read { session in
            let totals = try await session.headTotals(bucketID: record.bucketID)
            let entries =
                readable && totals.count > 0
                ? try await session.listVersions(ListQuery(bucketID: record.bucketID, limit: limit, allVersions: false)) : []
            return RecordFiles(count: totals.count, bytes: totals.bytes, entries: entries)
        }
    }
}

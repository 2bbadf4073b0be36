import Foundation
import JSONSchema
import VellumCore

/// Moving records: between deployments (`vellum records import` of what `vellum records export` wrote), and from one
/// schema to another (`vellum schema migrate`).
extension RecordsService {
    public enum ImportOutcome: Sendable, Equatable {
        case imported
        /// The record is here already, with the same history.
        case unchanged
    }

    /// Imports a record with its whole history, keeping its id, concept and hashes: the chain must hold, and a record
    /// with that id must be absent (or the same). Its bucket is the one of that id when this deployment has it, else
    /// a new empty one of that id (files are not part of an export). One transaction.
    public func importRecord(_ record: Record, revisions: [RecordRevision]) async throws -> ImportOutcome {
        guard revisions.map(\.revision) == Array(1...max(record.revision, 1)), revisions.last?.document == record.document else {
            throw RecordsError(.invalid, "Record \(record.id): its revisions 1 to \(record.revision) are not all there.")
        }
        if let broken = RevisionChain.firstBroken(revisions.map { ($0.document, $0.hash) }) {
            throw RecordsError(.tampered, "Record \(record.id): revision \(broken) does not match its hash.")
        }
        return try await store.write { session in
            let records = try session.queries(RecordQueries.self)
            if try await records.record(record.id) != nil {
                guard try await records.lastRevisionHash(of: record.id) == revisions.last?.hash else {
                    throw RecordsError(.conflict, "Record \(record.id) exists here with another history.")
                }
                return .unchanged
            }
            if try await session.bucket(record.bucketID) == nil {
                _ = try await insertBucket(record.bucketID, owner: record.owner, created: record.created, session)
            }
            try await records.reserveRecordIDs(through: max(record.id, record.conceptID))
            var imported = record
            imported.isLatest = false
            try await records.insertRecord(imported)
            for revision in revisions { try await records.insertRevision(revision) }
            try await records.markLatest(concept: record.conceptID)
            try await Self.settleBucket(of: record, session)
            try await Self.importPIDs(of: record, session)
            return .imported
        }
    }

    /// A record that `migrate` would move, or why it cannot.
    public struct Migration: Sendable {
        public var id: Int64
        public var revision: Int
        public var document: JSON
        /// Empty when the record can move.
        public var errors: [FieldError]
    }

    /// What moving the records that name schema `from` to schema `to` would do, changing nothing: each such record
    /// (removed ones aside) with `patch` applied to its document (a JSON Patch array, or a merge patch object) and
    /// `$schema` set to `local://{to}`, and the errors that would keep it from moving — for a published record every
    /// error against the new schema, for a draft only values of the wrong type (as when it is saved).
    public func planMigration(from: String, to: String, patch: JSON) async throws -> [Migration] {
        guard try await schemas.schema(for: "local://" + from) != nil, try await schemas.schema(for: "local://" + to) != nil else {
            throw RecordsError(.notFound, "Both schemas must be the built-in one or registered: \(from), \(to).")
        }
        var plan: [Migration] = []
        var after: Int64 = 0
        while true {
            let position = after
            let page = try await store.read {
                try await $0.queries(RecordQueries.self).records(since: Date(timeIntervalSince1970: 0), after: position, limit: 500)
            }
            guard let last = page.last else { break }
            after = last.id
            for record in page where record.status != .deleted {
                guard let named = record.document["$schema"]?.stringValue, RecordSchemas.name(of: named) == from else { continue }
                plan.append(try await migration(of: record, to: to, patch: patch))
            }
        }
        return plan
    }

    func migration(of record: Record, to: String, patch: JSON) async throws -> Migration {
        var result = Migration(id: record.id, revision: record.revision, document: record.document, errors: [])
        do {
            let patched = patch.arrayValue != nil ? try JSONPatch.apply(patch, to: record.document) : record.document.merging(patch: patch)
            guard case .object(var members) = patched else { throw RecordsError.invalid([("", "must be a JSON object")]) }
            members["$schema"] = .string("local://" + to)
            result.document = try Self.document(.object(members))
            let errors = try await errors(result.document)
            if record.status == .published { result.errors = errors }
        } catch let error as RecordsError where !error.fieldErrors.isEmpty {
            result.errors = error.fieldErrors
        } catch {
            result.errors = [FieldError(field: "", message: "the patch cannot be applied: \(error)")]
        }
        return result
    }

    /// Moves one record as planned: a new revision by `actor`, refused (412) if the record changed since the plan.
    public func migrate(_ migration: Migration, actor: String) async throws {
        let document = migration.document
        _ = try await change(migration.id, ifMatch: migration.revision, by: Principal(tokenID: actor, isAdmin: true)) { record, _ in
            record.document = document
        }
    }
}

import Foundation
import JSONSchema
import VellumCore

/// The PIDs of records (api.md §8), kept by the records' own changes, in their transactions: a draft reserves its
/// recid (and, the first version, its concept's); publishing registers them and, with a DOI prefix, mints the
/// version's and the concept's DOIs and asks for them to be sent to DataCite (after the commit, by the DOI worker);
/// a change of a published record's metadata asks again; a removal deletes them.
extension RecordsService {
    /// Reserves the recids of a new draft (and of its concept, for a first version).
    static func reservePIDs(of record: Record, _ session: any MetadataSession) async throws {
        let pids = try session.queries(PIDQueries.self)
        _ = try await ensure(PID.Reference(.recid, String(record.id)), .record, record.id, status: .reserved, pids)
        if record.versionIndex == 1 {
            _ = try await ensure(PID.Reference(.recid, String(record.conceptID)), .concept, record.conceptID, status: .reserved, pids)
        }
    }

    /// An imported record's recids, as its state says (its DOIs, if it had any, stay with the deployment that
    /// minted them).
    static func importPIDs(of record: Record, _ session: any MetadataSession) async throws {
        let pids = try session.queries(PIDQueries.self)
        let status: PID.Status = record.status == .published ? .registered : record.status == .draft ? .reserved : .deleted
        _ = try await ensure(PID.Reference(.recid, String(record.id)), .record, record.id, status: status, pids)
        let concept = try await ensure(PID.Reference(.recid, String(record.conceptID)), .concept, record.conceptID, status: .reserved, pids)
        if record.status == .published { try await move(concept, to: .registered, pids) }
    }

    /// Brings the record's PIDs to its new state, after a change from `before` to `record`.
    func syncPIDs(from before: Record, to record: Record, _ session: any MetadataSession) async throws {
        let pids = try session.queries(PIDQueries.self)
        let now = Date()
        let recid = PID.Reference(.recid, String(record.id))
        let conceptRecid = PID.Reference(.recid, String(record.conceptID))
        let doi = doiPrefix.map { PID.Reference(.doi, "\($0)/vellum.\(record.id)") }
        let conceptDOI = doiPrefix.map { PID.Reference(.doi, "\($0)/vellum.\(record.conceptID)") }
        switch (before.status, record.status) {
        case (.draft, .published):
            try await Self.move(try await Self.ensure(recid, .record, record.id, status: .reserved, pids), to: .registered, pids)
            try await Self.move(
                try await Self.ensure(conceptRecid, .concept, record.conceptID, status: .reserved, pids), to: .registered, pids)
            for (reference, object, id) in [(doi, PID.Object.record, record.id), (conceptDOI, .concept, record.conceptID)] {
                guard let reference else { continue }
                _ = try await Self.ensure(reference, object, id, status: .reserved, pids)
                try await pids.requestDOITask(reference.value, at: now)
            }
        case (.published, .published):
            if let doi, try await pids.pid(doi) != nil { try await pids.requestDOITask(doi.value, at: now) }
            if record.isLatest, let conceptDOI, try await pids.pid(conceptDOI) != nil {
                try await pids.requestDOITask(conceptDOI.value, at: now)
            }
        case (.published, .deleted):
            for reference in [recid, doi].compactMap({ $0 }) {
                guard let pid = try await pids.pid(reference) else { continue }
                try await Self.move(pid, to: .deleted, pids)
                if reference.scheme == .doi { try await pids.requestDOITask(reference.value, at: now) }
            }
            let remaining = try await session.queries(RecordQueries.self).publishedVersions(concept: record.conceptID)
            if remaining.isEmpty, let pid = try await pids.pid(conceptRecid) { try await Self.move(pid, to: .deleted, pids) }
            if let conceptDOI, let pid = try await pids.pid(conceptDOI) {
                // The concept DOI follows the newest version left, or goes with the last one.
                if remaining.isEmpty { try await Self.move(pid, to: .deleted, pids) }
                try await pids.requestDOITask(conceptDOI.value, at: now)
            }
        default: break
        }
    }

    /// A deleted draft's recids: deleted, never to be given again.
    static func deletePIDs(ofDraft record: Record, _ session: any MetadataSession) async throws {
        let pids = try session.queries(PIDQueries.self)
        var references = [PID.Reference(.recid, String(record.id))]
        if record.versionIndex == 1 { references.append(PID.Reference(.recid, String(record.conceptID))) }
        for reference in references {
            if let pid = try await pids.pid(reference) { try await move(pid, to: .deleted, pids) }
        }
    }

    /// The PID, made with `status` if there is none yet (records from before PIDs, imports).
    static func ensure(
        _ reference: PID.Reference, _ object: PID.Object, _ id: Int64, status: PID.Status, _ pids: any PIDQueries
    ) async throws -> PID {
        if let pid = try await pids.pid(reference) { return pid }
        let now = Date()
        let pid = PID(reference, status: status, object: object, objectID: id, created: now, updated: now)
        guard try await pids.insertPID(pid) else { throw RecordsError(.conflict, "\(reference.scheme.rawValue) \(reference.value) exists already.") }
        try await pids.insertPIDEvent(PIDEvent(pid: reference, at: now, event: status.rawValue))
        return pid
    }

    /// Moves a PID to `status` (nothing if it is there), as `PID.Status.allows` permits, with an event.
    static func move(_ pid: PID, to status: PID.Status, _ pids: any PIDQueries, redirect: PID.Reference? = nil) async throws {
        guard pid.status != status else { return }
        guard pid.status.allows(status) else {
            throw RecordsError(
                .conflict, "\(pid.scheme.rawValue) \(pid.value) is \(pid.status.rawValue); it cannot become \(status.rawValue).")
        }
        var moved = pid
        moved.status = status
        moved.redirect = redirect
        moved.updated = Date()
        try await pids.updatePID(moved)
        try await pids.insertPIDEvent(
            PIDEvent(pid: pid.reference, at: moved.updated, event: status.rawValue, detail: redirect.map { "\($0.scheme.rawValue) \($0.value)" }))
    }

    /// The record's DOIs as its JSON shows them (`pids.doi`, `pids.concept_doi`): `{"identifier", "provider",
    /// "status"}`, the status `registered` once DataCite has it, `failed` when DataCite refused it, else `reserved`.
    public func pidsJSON(of record: Record) async throws -> JSON {
        try await store.read { try await Self.pidsJSON(of: [record], in: $0)[record.id] ?? .object([:]) }
    }

    /// Each record's DOI and its concept's, with their status, read in `session` (four queries for any number).
    static func pidsJSON(of records: [Record], in session: any MetadataSession) async throws -> [Int64: JSON] {
        let pids = try session.queries(PIDQueries.self)
        let dois = { (object: PID.Object, ids: [Int64]) in
            Dictionary(
                try await pids.pids(of: object, ids).filter { $0.scheme == .doi }.map { ($0.objectID, $0) },
                uniquingKeysWith: { $0.value <= $1.value ? $0 : $1 })
        }
        let (own, concepts) = (try await dois(.record, records.map(\.id)), try await dois(.concept, records.map(\.conceptID)))
        let failed = Set(try await pids.doiTasks(own.values.map(\.value) + concepts.values.map(\.value)).filter { $0.state == .failed }.map(\.doi))
        var result: [Int64: JSON] = [:]
        for record in records {
            var members: [String: JSON] = [:]
            for (name, found) in [("doi", own[record.id]), ("concept_doi", concepts[record.conceptID])] {
                guard let pid = found else { continue }
                let status = failed.contains(pid.value) ? "failed" : pid.status == .registered ? "registered" : "reserved"
                members[name] = .object(["identifier": .string(pid.value), "provider": .string("datacite"), "status": .string(status)])
            }
            result[record.id] = .object(members)
        }
        return result
    }
}

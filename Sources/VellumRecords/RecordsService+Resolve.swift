import Foundation
import VellumCore

/// Where a PID leads (api.md §8).
public enum Resolution: Sendable, Equatable {
    /// A published record the caller may see (302).
    case record(Int64)
    /// Another PID, for a redirected one (301).
    case pid(PID.Reference)
}

extension RecordsService {
    /// Resolves a PID for `principal`: a record's recid or DOI to the record, a concept's to its newest published
    /// version the caller may see, a redirected PID to its target; a deleted record's PIDs are gone (410, with the
    /// tombstone); unknown PIDs, drafts and what the caller may not see are not found.
    public func resolve(_ reference: PID.Reference, by principal: Principal) async throws -> Resolution {
        let found = try await store.read { session -> (PID, Record?, [Record])? in
            guard let pid = try await session.queries(PIDQueries.self).pid(reference) else { return nil }
            let records = try session.queries(RecordQueries.self)
            switch pid.object {
            case .record: return (pid, try await records.record(pid.objectID), [])
            case .concept:
                return (pid, try await records.newestVersion(concept: pid.objectID), try await records.publishedVersions(concept: pid.objectID))
            }
        }
        guard let (pid, record, versions) = found else { throw Self.notFound }
        switch pid.status {
        case .redirected:
            guard let target = pid.redirect else { throw Self.notFound }
            return .pid(target)
        case .new: throw Self.notFound
        case .reserved, .registered, .deleted: break
        }
        switch pid.object {
        case .record:
            guard let record, record.status != .draft else { throw Self.notFound }
            // A removed record is gone for everyone (its tombstone); else it must be visible to the caller.
            return .record(try Self.visible(record, principal).id)
        case .concept:
            if let latest = versions.first(where: { Self.canSee($0, principal) }) { return .record(latest.id) }
            // Every version removed: the concept is gone with the newest of them.
            if pid.status == .deleted, let record, record.status == .deleted { _ = try Self.visible(record, principal) }
            throw Self.notFound
        }
    }

    /// Points a registered PID at another (merging two records: the duplicate's PIDs lead to the one kept). Admins
    /// only; the target must exist and not be deleted, and a PID cannot lead to itself.
    public func redirect(_ reference: PID.Reference, to target: PID.Reference, by principal: Principal) async throws {
        guard principal.isAdmin else { throw principal.refusal }
        guard reference != target else { throw RecordsError(.conflict, "A PID cannot redirect to itself.") }
        try await store.write { session in
            let pids = try session.queries(PIDQueries.self)
            guard let pid = try await pids.pid(reference) else { throw RecordsError(.notFound, "No such PID.") }
            guard let goal = try await pids.pid(target), goal.status != .deleted else {
                throw RecordsError(.notFound, "The target PID does not exist or is deleted.")
            }
            try await Self.move(pid, to: .redirected, pids, redirect: target)
        }
    }
}

extension RecordsService {
    /// The DOIs in `state` (admins only), by DOI, at most 1,000.
    public func doiTasks(_ state: DOITask.State, by principal: Principal) async throws -> [DOITask] {
        guard principal.isAdmin else { throw principal.refusal }
        return try await store.read { try await $0.queries(PIDQueries.self).doiTasks(state, dueBy: nil, after: "", limit: 1000) }
    }
}

extension RecordsService {
    /// Makes failed DOIs (all of them when `dois` is empty) pending again, to be sent at once; returns how many.
    public func retryDOIs(_ dois: [String], by principal: Principal) async throws -> Int {
        guard principal.isAdmin else { throw principal.refusal }
        return try await store.write { session in
            let pids = try session.queries(PIDQueries.self)
            let failed = try await pids.doiTasks(.failed, dueBy: nil, after: "", limit: Int.max)
            let chosen = dois.isEmpty ? failed : failed.filter { dois.map { $0.lowercased() }.contains($0.doi) }
            for task in chosen { try await pids.requestDOITask(task.doi, at: Date()) }
            return chosen.count
        }
    }
}

extension RecordsService {
    /// A PID and its events, oldest first (admins only).
    public func history(of reference: PID.Reference, by principal: Principal) async throws -> (PID, [PIDEvent]) {
        guard principal.isAdmin else { throw principal.refusal }
        return try await store.read { session in
            let pids = try session.queries(PIDQueries.self)
            guard let pid = try await pids.pid(reference) else { throw RecordsError(.notFound, "No such PID.") }
            return (pid, try await pids.pidEvents(reference))
        }
    }
}

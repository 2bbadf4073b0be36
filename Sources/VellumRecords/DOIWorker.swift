import Foundation
import JSONSchema
import RecordExports
import VellumCore

/// What the DOI worker needs of DataCite (the composition root gives a DataCite REST client): a DOI made findable
/// with its metadata and landing page, or hidden (a removed record's: findable → registered, pointing at its
/// tombstone).
public protocol DOIRegistrar: Sendable {
    func register(doi: String, url: String, attributes: JSON) async throws
    func hide(doi: String, url: String) async throws
}

/// DataCite refused a DOI (a 4xx other than 429): sending the same again would not help.
public struct DOIRefused: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Tells DataCite about the DOIs asked for (the `doi_tasks` outbox), twice a second, eight at a time: each task is
/// claimed first (so that several daemons share the work), sent as the record is now, then removed; refused ones become
/// `failed`, other errors are retried with back-off (5 s doubling, at most an hour). Only runs with a DOI prefix
/// and DataCite credentials.
public struct DOIWorker: BackgroundWorker {
    public let name = "dois"
    public let interval: Duration = .milliseconds(500)
    let records: RecordsService
    let registrar: any DOIRegistrar

    public init(records: RecordsService, registrar: any DOIRegistrar) {
        self.records = records
        self.registrar = registrar
    }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        let due = try await records.dueDOITasks(limit: 64)
        // Eight at a time: DataCite's answers take most of the time.
        return try await withThrowingTaskGroup(of: Int.self) { group in
            var handled = 0
            for (n, task) in due.enumerated() {
                if n >= 8, let done = try await group.next() { handled += done }
                group.addTask { try await send(task) ? 1 : 0 }
            }
            for try await done in group { handled += done }
            return WorkReport(items: handled)
        }
    }

    /// Sends one task, if this daemon can claim it; false when another took it.
    func send(_ task: DOITask) async throws -> Bool {
        guard try await records.claimDOITask(task) else { return false }
        do {
            switch try await records.doiTarget(task.doi) {
            case .register(let record, let isConcept):
                let export = try await records.exportRecord(record, isConcept: isConcept) { _ in "" }
                try await registrar.register(doi: task.doi, url: export.url, attributes: Exports.dataCite(export))
            case .hide(let record, let isConcept):
                try await registrar.hide(doi: task.doi, url: Self.url(record, isConcept: isConcept, records.site))
            case .none:
                break
            }
            try await records.finishDOITask(task, outcome: .done)
        } catch let refused as DOIRefused {
            try await records.finishDOITask(task, outcome: .refused(refused.message))
        } catch {
            try await records.finishDOITask(task, outcome: .retry("\(error)"))
        }
        return true
    }

    /// A DOI's landing page: the record's URL, or, for a concept's DOI, its resolver URL (which follows the latest
    /// version).
    static func url(_ record: Record, isConcept: Bool, _ site: RecordsSite) -> String {
        isConcept ? "\(site.publicURL)/pid/recid/\(record.conceptID)" : site.recordURL(record.id)
    }
}

extension RecordsService {
    /// What a DOI task sends: the record it names (for a concept's DOI, its newest published version) registered,
    /// or — removed — hidden; nothing when the DOI is gone from the store.
    public enum DOITarget: Sendable {
        case register(Record, isConcept: Bool)
        case hide(Record, isConcept: Bool)
    }

    public enum DOIOutcome: Sendable {
        case done
        case refused(String)
        case retry(String)
    }

    func dueDOITasks(limit: Int) async throws -> [DOITask] {
        try await store.read { try await $0.queries(PIDQueries.self).doiTasks(.pending, dueBy: Date(), after: "", limit: limit) }
    }

    /// Takes the task for two minutes (another daemon leaves it meanwhile; if this one dies, it is due again then).
    func claimDOITask(_ task: DOITask) async throws -> Bool {
        try await store.write { try await $0.queries(PIDQueries.self).claimDOITask(task, until: Date().addingTimeInterval(120)) }
    }

    func doiTarget(_ doi: String) async throws -> DOITarget? {
        try await store.read { session in
            let pids = try session.queries(PIDQueries.self)
            let records = try session.queries(RecordQueries.self)
            guard let pid = try await pids.pid(PID.Reference(.doi, doi)) else { return nil }
            switch pid.object {
            case .record:
                guard let record = try await records.record(pid.objectID), record.status != .draft else { return nil }
                return pid.status == .deleted ? .hide(record, isConcept: false) : .register(record, isConcept: false)
            case .concept:
                if pid.status != .deleted, let latest = try await records.publishedVersions(concept: pid.objectID).first {
                    return .register(latest, isConcept: true)
                }
                guard let newest = try await records.newestVersion(concept: pid.objectID) else { return nil }
                return .hide(newest, isConcept: true)
            }
        }
    }

    /// Saves what DataCite answered: done (the DOI registered, unless it is deleted, and an event), refused
    /// (`failed`, with DataCite's error), or to be retried after a back-off.
    func finishDOITask(_ task: DOITask, outcome: DOIOutcome) async throws {
        let claimed = DOITask(
            doi: task.doi, state: task.state, due: task.due, attempts: task.attempts + 1, lastError: task.lastError,
            generation: task.generation)
        try await store.write { session in
            let pids = try session.queries(PIDQueries.self)
            let reference = PID.Reference(.doi, task.doi)
            var saved = claimed
            switch outcome {
            case .done:
                if let pid = try await pids.pid(reference), pid.status == .reserved { try await Self.move(pid, to: .registered, pids) }
                try await pids.insertPIDEvent(PIDEvent(pid: reference, at: Date(), event: "datacite-sent"))
                try await pids.finishDOITask(claimed, done: true)
                return
            case .refused(let message):
                saved.state = .failed
                saved.lastError = message
                try await pids.insertPIDEvent(PIDEvent(pid: reference, at: Date(), event: "datacite-refused", detail: message))
            case .retry(let message):
                saved.lastError = message
                saved.due = Date().addingTimeInterval(min(5 * pow(2, Double(min(claimed.attempts - 1, 10))), 3600))
                try await pids.insertPIDEvent(PIDEvent(pid: reference, at: Date(), event: "datacite-error", detail: message))
            }
            try await pids.finishDOITask(saved, done: false)
        }
    }
}

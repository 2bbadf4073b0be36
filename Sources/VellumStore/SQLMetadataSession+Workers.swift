import Foundation
import SQLKit
import VellumCore

/// `workers`.
extension SQLMetadataSession: WorkerQueries {
    public func saveWorkerStatus(_ s: WorkerStatus) async throws {
        try await db.raw(
            """
            INSERT INTO workers (name, holder, state, interval_micros, passes, items, last_started, last_finished,
                last_error, checkpoint, updated)
            VALUES (\(bind: s.name), \(bind: s.holder), \(bind: s.state.rawValue), \(bind: s.interval.micros),
                \(bind: s.passes), \(bind: s.items), \(bind: s.lastStarted?.micros), \(bind: s.lastFinished?.micros),
                \(bind: s.lastError), \(bind: s.checkpoint), \(bind: s.updated.micros))
            ON CONFLICT (name, holder) DO UPDATE SET state = excluded.state, interval_micros = excluded.interval_micros,
                passes = excluded.passes, items = excluded.items, last_started = excluded.last_started,
                last_finished = excluded.last_finished, last_error = excluded.last_error, checkpoint = excluded.checkpoint,
                updated = excluded.updated
            """
        ).run()
        let dayAgo = s.updated.addingTimeInterval(-86_400).micros
        try await db.raw("DELETE FROM workers WHERE name = \(bind: s.name) AND updated < \(bind: dayAgo)").run()
    }

    public func workerStatuses() async throws -> [WorkerStatus] {
        try await db.raw("SELECT * FROM workers ORDER BY name, updated DESC").all().map { row in
            WorkerStatus(
                name: try row.decode(column: "name", as: String.self), holder: try row.decode(column: "holder", as: String.self),
                state: WorkerStatus.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .stopped,
                interval: .microseconds(try row.decode(column: "interval_micros", as: Int64.self)),
                passes: try row.decode(column: "passes", as: Int.self), items: try row.decode(column: "items", as: Int.self),
                lastStarted: try row.decode(column: "last_started", as: Int64?.self).map(Date.micros),
                lastFinished: try row.decode(column: "last_finished", as: Int64?.self).map(Date.micros),
                lastError: try row.decode(column: "last_error", as: String?.self),
                checkpoint: try row.decode(column: "checkpoint", as: String?.self),
                updated: .micros(try row.decode(column: "updated", as: Int64.self)))
        }
    }
}

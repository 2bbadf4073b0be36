import Foundation
import SQLKit
import VellumCore

/// `jobs`.
extension SQLMetadataSession: JobQueries {
    public func enqueueJob(_ kind: String, subject: String, payload: String?, due: Date, now: Date) async throws {
        try await db.raw(
            """
            INSERT INTO jobs (id, kind, subject, payload, state, due, created)
            VALUES (\(bind: UUID().lowercased), \(bind: kind), \(bind: subject), \(bind: payload), 'due', \(bind: due.micros),
                \(bind: now.micros))
            ON CONFLICT (kind, subject) DO UPDATE SET payload = excluded.payload, version = jobs.version + 1,
                due = CASE WHEN jobs.state = 'due' AND jobs.due < excluded.due THEN jobs.due ELSE excluded.due END,
                state = 'due', attempts = CASE WHEN jobs.state = 'failed' THEN 0 ELSE jobs.attempts END
            """
        ).run()
    }

    public func claimJobs(_ kind: String, holder: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [Job] {
        try await db.raw(
            """
            UPDATE jobs SET holder = \(bind: holder), lease_until = \(bind: leaseUntil.micros), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM jobs
                WHERE kind = \(bind: kind) AND state = 'due' AND due <= \(bind: now.micros)
                    AND (lease_until IS NULL OR lease_until < \(bind: now.micros))
                ORDER BY due LIMIT \(bind: limit)\(unsafeRaw: dialect.claimRows))
            RETURNING *
            """
        ).all().map(Self.job).sorted { $0.due < $1.due }
    }

    public func completeJob(_ job: Job) async throws {
        try await db.raw(
            "DELETE FROM jobs WHERE id = \(bind: job.id.lowercased) AND holder = \(bind: job.holder) AND version = \(bind: job.version)"
        ).run()
        // Asked for again while it ran: due again, for whichever daemon claims it next.
        try await release(job, "")
    }

    public func retryJob(_ job: Job, error: String, due: Date) async throws {
        try await release(job, ", due = \(bind: due.micros), last_error = \(bind: error)")
    }

    public func failJob(_ job: Job, error: String) async throws {
        try await release(job, ", state = 'failed', last_error = \(bind: error)")
    }

    /// Ends `job`'s claim (if it is still this holder's), setting `changes` too.
    private func release(_ job: Job, _ changes: SQLQueryString) async throws {
        try await db.raw(
            """
            UPDATE jobs SET holder = NULL, lease_until = NULL\(changes)
            WHERE id = \(bind: job.id.lowercased) AND holder = \(bind: job.holder)
            """
        ).run()
    }

    public func failedJobs(_ kind: String?, limit: Int) async throws -> [Job] {
        let filter: SQLQueryString = kind.map { "AND kind = \(bind: $0)" } ?? ""
        return try await db.raw(
            "SELECT * FROM jobs WHERE last_error IS NOT NULL \(filter) ORDER BY created LIMIT \(bind: limit)"
        ).all().map(Self.job)
    }

    public func retryFailedJobs(_ kind: String, now: Date) async throws -> Int {
        try await db.raw(
            """
            UPDATE jobs SET state = 'due', due = \(bind: now.micros), attempts = 0
            WHERE kind = \(bind: kind) AND state = 'failed' RETURNING id
            """
        ).all().count
    }

    static func job(_ row: any SQLRow) throws -> Job {
        Job(
            id: try row.decodeUUID(column: "id"),
            kind: try row.decode(column: "kind", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            payload: try row.decode(column: "payload", as: String?.self),
            state: Job.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            due: .micros(try row.decode(column: "due", as: Int64.self)), attempts: try row.decode(column: "attempts", as: Int.self),
            version: try row.decode(column: "version", as: Int.self), holder: try row.decode(column: "holder", as: String?.self),
            lastError: try row.decode(column: "last_error", as: String?.self))
    }
}

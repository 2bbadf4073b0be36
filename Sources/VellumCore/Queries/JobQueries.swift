import Foundation

/// Leased jobs (`jobs`): work that must be done after a commit, at least once, by whichever daemon claims it — the
/// one mechanism for the attached modules' outboxes (DOI registration, search indexing, previews). A job is a kind
/// and a subject (unique together: asking again for a job that waits merges into it), due from a time, claimed
/// for a while by one holder, then completed (gone), tried again later, or failed for good.
public protocol JobQueries {
    /// Asks for a job, due at `due`; if one of that kind and subject exists, it is asked for again: due at the
    /// earlier time, with the new payload, and a claim that is under way no longer completes it (it runs again).
    func enqueueJob(_ kind: String, subject: String, payload: String?, due: Date, now: Date) async throws
    /// Claims up to `limit` due jobs of `kind` for `holder` until `leaseUntil` (rows another daemon is claiming
    /// are skipped; a claim whose lease lapsed may be taken); counts an attempt on each.
    func claimJobs(_ kind: String, holder: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [Job]
    /// A claimed job is done: it is removed, unless it was asked for again meanwhile (then it is due again).
    func completeJob(_ job: Job) async throws
    /// A claimed job failed for a passing reason: due again at `due`.
    func retryJob(_ job: Job, error: String, due: Date) async throws
    /// A claimed job cannot succeed: kept as failed (not claimed again) until retried by hand.
    func failJob(_ job: Job, error: String) async throws
    /// Jobs of `kind` (every kind: nil) that failed for good or wait after a failed attempt, oldest first.
    func failedJobs(_ kind: String?, limit: Int) async throws -> [Job]
    /// Makes the jobs of `kind` that failed for good due now; returns how many.
    func retryFailedJobs(_ kind: String, now: Date) async throws -> Int
}

/// One job of `jobs`.
public struct Job: Sendable, Equatable {
    public enum State: String, Sendable {
        case due
        case failed
    }

    public var id: UUID
    public var kind: String
    public var subject: String
    public var payload: String?
    public var state: State
    public var due: Date
    /// Claims so far (each claim counts, whether it ended in success, failure or a lapsed lease).
    public var attempts: Int
    /// Counts the times it was asked for: a claim completes it only if no one asked again meanwhile.
    public var version: Int
    public var holder: String?
    public var lastError: String?

    public init(
        id: UUID, kind: String, subject: String, payload: String?, state: State, due: Date, attempts: Int, version: Int,
        holder: String?, lastError: String?
    ) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.payload = payload
        self.state = state
        self.due = due
        self.attempts = attempts
        self.version = version
        self.holder = holder
        self.lastError = lastError
    }
}

import Foundation
import Logging

/// What does the jobs of one kind (`JobQueries`): a module's outbox handler (register a DOI, index a record, …).
public protocol JobHandler: Sendable {
    /// The jobs' kind.
    var kind: String { get }
    /// Its worker's name in `GET /workers` (the kind, unless it says otherwise).
    var name: String { get }
    /// How many jobs one claim takes (16, unless it says otherwise): each waits for those before it.
    var batch: Int { get }
    /// Does one job. Throwing `JobFailure.permanent` fails it for good; any other error tries it again later,
    /// less and less often (`delay`).
    func handle(_ job: Job) async throws
    /// How long a claim lasts: a daemon that dies holding jobs leaves them to others after this.
    var lease: Duration { get }
    /// The pause after the `attempts`-th failed attempt.
    func delay(afterAttempts attempts: Int) -> Duration
}

extension JobHandler {
    public var name: String { kind }
    public var batch: Int { 16 }
    public var lease: Duration { .seconds(300) }
    /// 10 s, doubling, at most a day.
    public func delay(afterAttempts attempts: Int) -> Duration { .seconds(min(10 * (1 << min(attempts - 1, 20)), 86_400)) }
}

/// A failure that trying again cannot cure.
public struct JobFailure: Error, Sendable {
    public let message: String
    /// How loud the log line is (a warning, unless the failure is an expected outcome: an image too small for a
    /// pyramid, say).
    public let level: Logger.Level
    public static func permanent(_ message: String, level: Logger.Level = .warning) -> JobFailure {
        JobFailure(message: message, level: level)
    }
}

/// Claims the due jobs of one handler's kind, a batch at a time, and does them one after the other: each is
/// completed, tried again later, or failed for good, in the database, so several daemons share the work and a
/// restart loses none of it.
public struct JobWorker: BackgroundWorker {
    let handler: any JobHandler
    let store: any MetadataStore
    let holder: String
    let logger: Logger
    public let interval: Duration

    public init(
        _ handler: any JobHandler, store: any MetadataStore, holder: String = WorkerRunner.thisProcess, interval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.handler = handler
        self.store = store
        self.holder = holder
        self.interval = interval
        self.logger = logger
    }

    public var name: String { handler.name }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        var done = 0
        while true {
            let now = Date()
            let jobs = try await store.write { [handler, holder] in
                try await $0.claimJobs(
                    handler.kind, holder: holder, now: now, leaseUntil: now.addingTimeInterval(handler.lease.seconds), limit: handler.batch)
            }
            if jobs.isEmpty { return WorkReport(items: done) }
            for job in jobs {
                do {
                    try await handler.handle(job)
                    try await store.write { try await $0.completeJob(job) }
                    done += 1
                } catch let failure as JobFailure {
                    logger.log(
                        level: failure.level, "job failed for good",
                        metadata: ["kind": "\(job.kind)", "subject": "\(job.subject)", "error": "\(failure.message)"])
                    try await store.write { try await $0.failJob(job, error: failure.message) }
                } catch is CancellationError {
                    throw CancellationError()  // shutting down: the lease lapses and the job runs again
                } catch {
                    let due = Date().addingTimeInterval(handler.delay(afterAttempts: job.attempts).seconds)
                    let message = (error as? any DomainError)?.message ?? "\(error)"
                    logger.warning("job failed; will retry", metadata: ["kind": "\(job.kind)", "subject": "\(job.subject)", "error": "\(message)"])
                    // Kept whole, operator detail included (`GET /derivatives/failures`, `failedJobs`).
                    try await store.write { try await $0.retryJob(job, error: "\(error)", due: due) }
                }
            }
        }
    }
}

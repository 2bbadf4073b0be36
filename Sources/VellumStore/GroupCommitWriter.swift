import SQLKit
import VellumCore

/// Runs write transactions on one connection. Transactions that arrive while a commit is in progress are run
/// together in the next one, so one fsync serves them all. A job that throws rolls the batch back; the batch is then
/// run again without it (jobs only touch the database, so running one twice is safe). Failures are rare, and this
/// costs no SAVEPOINT statements on the common path.
actor GroupCommitWriter {
    typealias Work = @Sendable (any MetadataSession) async throws -> any Sendable

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let db: any SQLDatabase
    private let begin: String
    private let executor: ThreadPoolExecutor
    private var queue: [Job] = []
    private var draining = false
    static let maxBatch = 256

    /// `executor` runs the batches (see `ThreadPoolExecutor`).
    init(db: any SQLDatabase, begin: String, executor: ThreadPoolExecutor) {
        self.db = db
        self.begin = begin
        self.executor = executor
    }

    func submit<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        let value = try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(work: { try await body($0) }, continuation: continuation))
            if !draining {
                draining = true
                Task(executorPreference: executor) { await self.drain() }
            }
        }
        guard let result = value as? R else { throw StorageError(.failure, "Internal error: unexpected result type.") }
        return result
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.maxBatch))
            queue.removeFirst(batch.count)
            await run(batch)
        }
        draining = false
    }

    private func run(_ batch: [Job]) async {
        var pending = batch
        while !pending.isEmpty {
            let session = SQLMetadataSession(db: db, dialect: .sqlite, writing: true)
            var results: [any Sendable] = []
            var failed: (index: Int, error: any Error)?
            do {
                try await db.raw(SQLQueryString(begin)).run()
                for (index, job) in pending.enumerated() {
                    do {
                        results.append(try await job.work(session))
                    } catch {
                        failed = (index, error)
                        break
                    }
                }
                if let failed {
                    try await db.raw("ROLLBACK").run()
                    pending[failed.index].continuation.resume(throwing: failed.error)
                    pending.remove(at: failed.index)
                    continue
                }
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                for job in pending { job.continuation.resume(throwing: error) }
                return
            }
            for (job, result) in zip(pending, results) { job.continuation.resume(returning: result) }
            return
        }
    }
}

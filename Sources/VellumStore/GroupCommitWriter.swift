import SQLKit
import VellumCore

/// Runs write transactions on one connection. Transactions that arrive while a commit is in progress are run
/// together in the next one, each inside its own SAVEPOINT, so a failing one rolls back alone and one fsync
/// serves them all.
actor GroupCommitWriter {
    typealias Work = @Sendable (any MetadataSession) async throws -> any Sendable

    private struct Job {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let db: any SQLDatabase
    private let begin: String
    private var queue: [Job] = []
    private var draining = false
    static let maxBatch = 256

    init(db: any SQLDatabase, begin: String) {
        self.db = db
        self.begin = begin
    }

    func submit<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        let value = try await withCheckedThrowingContinuation { continuation in
            queue.append(Job(work: { try await body($0) }, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
        guard let result = value as? R else { throw VellumError(500, "Internal error: unexpected result type.") }
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
        let session = SQLMetadataSession(db: db)
        var results: [Result<any Sendable, any Error>] = []
        do {
            try await db.raw(SQLQueryString(begin)).run()
            for job in batch {
                try await db.raw("SAVEPOINT job").run()
                do {
                    results.append(.success(try await job.work(session)))
                    try await db.raw("RELEASE SAVEPOINT job").run()
                } catch {
                    results.append(.failure(error))
                    try await db.raw("ROLLBACK TO SAVEPOINT job").run()
                    try await db.raw("RELEASE SAVEPOINT job").run()
                }
            }
            try await db.raw("COMMIT").run()
        } catch {
            try? await db.raw("ROLLBACK").run()
            for job in batch { job.continuation.resume(throwing: error) }
            return
        }
        for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
    }
}

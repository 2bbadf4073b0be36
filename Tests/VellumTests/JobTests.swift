import Foundation
import Logging
import Synchronization
import Testing
import VellumCore
import VellumStore

/// Leased jobs (`jobs`), on whichever database the suite runs against.
extension StoreTests {
    @Test func jobsAreClaimedOnceRetriedAndFailed() async throws {
        try await withStore { store in
            let t = Date(timeIntervalSince1970: 1_000_000)
            func claim(_ holder: String = "h1", at now: Date = t, lease: TimeInterval = 60) async throws -> [Job] {
                try await store.write { try await $0.claimJobs("doi", holder: holder, now: now, leaseUntil: now + lease, limit: 10) }
            }
            try await store.write { session in
                try await session.enqueueJob("doi", subject: "a", payload: "1", due: t - 2, now: t)
                try await session.enqueueJob("doi", subject: "b", payload: "1", due: t - 1, now: t)
                try await session.enqueueJob("doi", subject: "later", payload: nil, due: t + 100, now: t)
                try await session.enqueueJob("index", subject: "a", payload: nil, due: t, now: t)
            }
            let first = try await claim()
            #expect(first.map(\.subject) == ["a", "b"] && first.allSatisfy { $0.attempts == 1 && $0.holder == "h1" })
            #expect(try await claim("h2").isEmpty)  // claimed: not again, until the lease lapses

            // Done: gone. Asked for again while it ran: its completion does not remove it; it runs again, as asked.
            try await store.write { session in
                try await session.completeJob(first[0])
                try await session.enqueueJob("doi", subject: "b", payload: "2", due: t, now: t)
                try await session.completeJob(first[1])
            }
            let again = try await claim("h2")
            #expect(again.map(\.subject) == ["b"] && again.first?.payload == "2" && again.first?.version == 2)

            // A passing failure: due again later, with its error; a lapsed lease lets another holder take it.
            try await store.write { try await $0.retryJob(again[0], error: "DataCite answered 503", due: t + 50) }
            #expect(try await claim(at: t + 49).isEmpty)
            let retried = try await claim("h3", at: t + 50, lease: 10)
            #expect(retried.map(\.subject) == ["b"] && retried.first?.attempts == 3 && retried.first?.lastError == "DataCite answered 503")
            let taken = try await claim("h4", at: t + 61)
            #expect(taken.map(\.holder) == ["h4"])
            // The holder whose lease lapsed can no longer complete it.
            try await store.write { try await $0.completeJob(retried[0]) }

            // For good: listed, not claimed, until retried by hand.
            try await store.write { try await $0.failJob(taken[0], error: "the DOI is taken") }
            let later = try await claim(at: t + 1000)
            #expect(later.map(\.subject) == ["later"])
            try await store.write { try await $0.completeJob(later[0]) }
            let failed = try await store.read { try await $0.failedJobs("doi", limit: 10) }
            #expect(failed.map(\.subject) == ["b"] && failed.first?.state == .failed && failed.first?.lastError == "the DOI is taken")
            #expect(try await store.write { try await $0.retryFailedJobs("doi", now: t + 2000) } == 1)
            #expect(try await claim("h5", at: t + 2000).map(\.subject) == ["b"])
            #expect(try await store.read { try await $0.failedJobs(nil, limit: 10) }.map(\.subject) == ["b"])  // its last error stays
        }
    }

    /// Two daemons claiming at once get different jobs (`FOR UPDATE SKIP LOCKED`).
    @Test(.enabled(if: TestServer.postgres != nil)) func jobClaimsSkipJobsAnotherDaemonIsClaiming() async throws {
        let url = try await TestServer.newPostgresDatabase().url
        let first = try await PostgresMetadataStore.open(url: url, logger: Logger(label: "test"))
        let second = try await PostgresMetadataStore.open(url: url, logger: Logger(label: "test"))
        try await first.whileRunning {
            try await second.whileRunning {
                let now = Date()
                try await first.write { session in
                    for n in 0..<10 { try await session.enqueueJob("doi", subject: "\(n)", payload: nil, due: now - 1, now: now) }
                }
                async let held = first.write { session in
                    let jobs = try await session.claimJobs("doi", holder: "one", now: now, leaseUntil: now + 60, limit: 6)
                    try await Task.sleep(for: .seconds(1))
                    return jobs.map(\.subject)
                }
                try await Task.sleep(for: .milliseconds(300))
                let other = try await second.write {
                    try await $0.claimJobs("doi", holder: "two", now: now, leaseUntil: now + 60, limit: 6).map(\.subject)
                }
                let mine = try await held
                #expect(mine.count == 6 && other.count == 4 && Set(mine).isDisjoint(with: other), "\(mine) \(other)")
            }
        }
    }

    /// The worker does each due job once: success removes it, a passing failure retries it, a permanent one fails it.
    @Test func jobWorkerCompletesRetriesAndFails() async throws {
        final class Handler: JobHandler {
            let kind = "test"
            let seen = Mutex<[String]>([])
            func handle(_ job: Job) async throws {
                let times = seen.withLock { seen in
                    seen.append(job.subject)
                    return seen.filter { $0 == job.subject }.count
                }
                if job.subject == "bad" { throw JobFailure.permanent("never") }
                if job.subject == "flaky" && times == 1 { throw TestError("not yet") }
            }
            func delay(afterAttempts attempts: Int) -> Duration { .zero }
        }
        try await withStore { store in
            let handler = Handler()
            try await store.write { session in
                for subject in ["good", "flaky", "bad"] {
                    try await session.enqueueJob("test", subject: subject, payload: nil, due: Date(), now: Date())
                }
            }
            let worker = JobWorker(handler, store: store, logger: Logger(label: "test"))
            let report = try await worker.work(from: nil)
            #expect(report.items == 2)
            #expect(handler.seen.withLock { $0 }.sorted() == ["bad", "flaky", "flaky", "good"])
            let left = try await store.read { try await $0.failedJobs("test", limit: 10) }
            #expect(left.map(\.subject) == ["bad"] && left.first?.state == .failed)
        }
    }

    /// A derivative asked for is a job: asked for once, claimed, listed while it fails, gone with its file.
    @Test func derivativesAreJobs() async throws {
        try await withStore { store in
            let file = FileInstance(id: UUID(), location: "l", size: 1, checksums: Checksums(md5: "m", sha256: "s"), created: Date())
            let kind = DerivativeKind.pyramid
            let asked = try await store.write { session in
                try await session.insertLocation(Location(name: "l", uri: "file:///x", isDefault: true, created: Date()))
                try await session.insertFile(file)
                return [
                    try await session.requestDerivative(kind, of: file.id, at: Date()),
                    try await session.requestDerivative(kind, of: file.id, at: Date()),
                ]
            }
            #expect(asked == [true, false])
            try await store.write { try await $0.enqueueJob(kind.jobKind, subject: file.id.lowercased, payload: nil, due: Date(), now: Date()) }
            #expect(try await store.read { try await $0.derivativeSource(kind, of: file.id) }?.id == file.id)
            let now = Date()
            let job = try #require(
                try await store.write { try await $0.claimJobs(kind.jobKind, holder: "h", now: now, leaseUntil: now + 60, limit: 1) }.first)
            try await store.write { try await $0.retryJob(job, error: "disk full", due: now + 30) }
            let failures = try await store.read { try await $0.failedDerivatives(limit: 10) }
            #expect(failures.map(\.fileID) == [file.id] && failures.first?.kind == kind && failures.first?.error == "disk full")
            #expect(failures.first?.attempts == 1 && failures.first?.nextAttempt.map { abs($0.timeIntervalSince(now + 30)) < 0.001 } == true)

            // Its file deleted: no longer asked for, nor listed, nor a job.
            _ = try await store.write { try await $0.markFileDeleting(file.id) }
            #expect(try await store.read { try await $0.derivativeSource(kind, of: file.id) } == nil)
            #expect(try await store.read { try await $0.failedDerivatives(limit: 10) }.isEmpty)
            #expect(try await store.read { try await $0.failedJobs(nil, limit: 10) }.isEmpty)
        }
    }
}

import Crypto
import Foundation
import Logging
import NIOCore

/// How fixity checks are scheduled and throttled.
public struct FixitySettings: Sendable {
    /// Every file is verified once per period.
    public var period: Duration
    /// Bytes per second over all workers of one process; nil for no limit.
    public var maxRate: Double?
    /// Cores hashing files over 1 MiB (their cost is hashing). Each verifies 8 such files at once, their MD5s side
    /// by side in vector lanes (`MD5Lanes`), or one file where the CPU has no vectors for that.
    public var workers: Int
    /// Smaller files verified at once besides: their cost is waiting for the disk, which serves many reads at once.
    public var smallReads = 32
    /// How long a claimed check stays claimed: a daemon that dies holding it delays that check by at most this.
    public var lease: Duration

    /// Files over 1 MiB verified at once.
    var largeFiles: Int { workers * (MD5Lanes.width > 1 ? 8 : 1) }

    public init(period: Duration, maxRate: Double? = nil, workers: Int, lease: Duration = .seconds(3600)) {
        self.period = period
        self.maxRate = maxRate
        self.workers = max(workers, 1)
        self.lease = lease
    }
}

/// Progress of a `fixity run`, for its progress bar.
public struct FixityProgress: Sendable {
    public var files = 0
    public var bytes: Int64 = 0
    public var totalFiles = 0
    public var totalBytes: Int64 = 0
    public var failed = 0
}

/// Verifies stored bytes against their recorded size, MD5 and SHA-256, on a schedule (the daemon) or at once
/// (`vellum fixity run`), and keeps the history. Every check's result is recorded with the file's next check, in one
/// transaction; a failed file stays failed until a later check passes (after an operator restored its bytes).
public struct FixityService: Sendable {
    let store: any MetadataStore
    let storage: StorageRegistry
    let logger: Logger
    /// Called after each recorded check (metrics).
    let observe: @Sendable (FixityCheck) -> Void

    public init(
        store: any MetadataStore, storage: StorageRegistry, logger: Logger,
        observe: @escaping @Sendable (FixityCheck) -> Void = { _ in }
    ) {
        self.store = store
        self.storage = storage
        self.logger = logger
        self.observe = observe
    }

    /// Reads `file` back through its storage and compares; never throws: a failure to read is an outcome.
    public func verify(_ file: FileInstance, runID: UUID?, limiter: RateLimiter?) async -> FixityCheck {
        let start = ContinuousClock.now
        let expected = FixityDigests(size: file.size, md5: file.checksums.md5, sha256: file.checksums.sha256)
        var actual = FixityDigests(size: nil, md5: nil, sha256: nil)
        var outcome = FixityOutcome.passed
        var detail: String?
        var bytes: Int64 = 0
        do {
            let reader = try await storage.backend(for: file.location).open(file.id, range: nil)
            do {
                let sums = try await Self.digest(reader, limiter: limiter, bytes: &bytes)
                await reader.close()
                actual = FixityDigests(size: bytes, md5: sums.md5, sha256: sums.sha256)
            } catch {
                await reader.close()
                throw error
            }
            if bytes != file.size {
                outcome = .sizeMismatch
            } else if actual.md5 != expected.md5 || actual.sha256 != expected.sha256 {
                outcome = .checksumMismatch
            }
        } catch let error as StorageError where error.reason == .missing {
            outcome = .missing
            detail = error.detail
        } catch {
            outcome = .unreadable
            detail = (error as? any DomainError)?.detail ?? "\(error)"
        }
        return FixityCheck(
            fileID: file.id, runID: runID, checkedAt: Date(), outcome: outcome, expected: expected, actual: actual,
            detail: detail, duration: ContinuousClock.now - start, bytes: bytes)
    }

    /// Both digests of everything `reader` yields: a one-chunk file is hashed on the spot; a larger one's SHA-256 on
    /// the spot and its MD5 together with other files' (`MD5Lanes`), or on a second core where vectors cannot help.
    static func digest(_ reader: any BlobReader, limiter: RateLimiter?, bytes: inout Int64) async throws -> Checksums {
        func read() async throws -> ByteBuffer? {
            guard let chunk = try await reader.next() else { return nil }
            await limiter?.take(chunk.readableBytes)
            bytes += Int64(chunk.readableBytes)
            return chunk
        }
        guard let first = try await read() else { return StreamHasher.checksums(of: []) }
        guard let second = try await read() else { return StreamHasher.checksums(of: [first]) }
        if MD5Lanes.width == 1 {
            var hasher = StreamHasher()
            await hasher.update([first])
            await hasher.update([second])
            while let chunk = try await read() { await hasher.update([chunk]) }
            return await hasher.finalize()
        }
        let md5 = MD5Lanes.Stream()
        var sha256 = SHA256()
        func hash(_ chunk: ByteBuffer) async {
            await MD5Lanes.shared.update(md5, with: chunk) {
                chunk.withUnsafeReadableBytes { sha256.update(bufferPointer: $0) }
            }
        }
        await hash(first)
        await hash(second)
        while let chunk = try await read() { await hash(chunk) }
        return Checksums(md5: md5.finalize(), sha256: sha256.finalize().hexString)
    }

    /// Checks `files`, `settings.largeFiles` large ones and `settings.smallReads` small ones at a time, calling
    /// `each` with every check. Results are recorded together, every 64 checks or every second, so small files do not each
    /// cost a commit, and a crash loses at most a second's work (which is then done again).
    func check(
        _ files: [FileInstance], runID: UUID?, settings: FixitySettings, limiter: RateLimiter?,
        each: (FixityCheck) -> Void = { _ in }
    ) async throws {
        try await withThrowingTaskGroup(of: (FixityCheck, large: Bool).self) { group in
            var unrecorded: [FixityCheck] = []
            var lastRecord = ContinuousClock.now
            func record() async throws {
                let checks = unrecorded
                try await store.write { session in
                    for check in checks { try await session.recordCheck(check, next: check.checkedAt + settings.period) }
                }
                checks.forEach(report)
                unrecorded = []
                lastRecord = ContinuousClock.now
            }
            var pending = files
            var running = 0
            var largeRunning = 0
            func isLarge(_ file: FileInstance) -> Bool { file.size > Int64(1 << 20) }
            /// Starts the next file that has a free slot; false when none can start now.
            func start() -> Bool {
                let index =
                    largeRunning < settings.largeFiles ? pending.indices.first : pending.firstIndex { !isLarge($0) }
                guard running < settings.largeFiles + settings.smallReads, let index else { return false }
                let file = pending.remove(at: index)
                let large = isLarge(file)
                running += 1
                if large { largeRunning += 1 }
                group.addTask { (await verify(file, runID: runID, limiter: limiter), large) }
                return true
            }
            while start() {}
            while let (check, large) = try await group.next() {
                running -= 1
                if large { largeRunning -= 1 }
                each(check)
                unrecorded.append(check)
                if unrecorded.count >= 64 || ContinuousClock.now - lastRecord >= .seconds(1) { try await record() }
                while start() {}
            }
            if !unrecorded.isEmpty { try await record() }
        }
    }

    /// Metrics, and a log line for every failure.
    private func report(_ check: FixityCheck) {
        observe(check)
        guard check.outcome != .passed else { return }
        logger.error(
            "fixity check failed",
            metadata: [
                "file": "\(check.fileID)", "outcome": "\(check.outcome.rawValue)", "detail": "\(check.detail ?? "")",
            ])
    }

    /// One pass of the daemon's schedule: files without a scheduled check get one, spread over the next period;
    /// then due files are claimed (leased) and verified, batch after batch, until none is due. Returns how many.
    public func checkDue(_ settings: FixitySettings, limiter: RateLimiter?) async throws -> Int {
        while try await store.write({
            try await $0.scheduleUncheckedFiles(now: Date(), period: settings.period, limit: 1000)
        }) == 1000 {}
        var checked = 0
        while !Task.isCancelled {
            let now = Date()
            let limit = settings.largeFiles * 2 + settings.smallReads
            let claimed = try await store.write {
                try await $0.claimDueFiles(now: now, leaseUntil: now + settings.lease, limit: limit)
            }
            if claimed.isEmpty { break }
            try await check(claimed, runID: nil, settings: settings, limiter: limiter)
            checked += claimed.count
        }
        return checked
    }

    /// `vellum fixity run`: verifies every file in scope (a bucket's, or all) not verified since the run started;
    /// resumes the unfinished run of the same scope, so what an interrupted run recorded is not verified again.
    /// Returns the progress at the end; `failed` counts the files in scope whose last check failed.
    public func run(
        bucketID: UUID?, settings: FixitySettings, progress: @escaping @Sendable (FixityProgress) -> Void = { _ in }
    ) async throws -> FixityProgress {
        let run = try await store.write { session in
            if let open = try await session.openRun(bucketID: bucketID) { return open }
            let run = FixityRun(id: UUID(), bucketID: bucketID, started: Date(), finished: nil)
            try await session.insertRun(run)
            return run
        }
        let limiter = settings.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        var state = FixityProgress()
        (state.totalFiles, state.totalBytes) = try await store.read {
            try await $0.countFilesToCheck(bucketID: bucketID, notCheckedSince: run.started)
        }
        progress(state)
        var after: UUID?
        while true {
            let batch = try await store.read { [after] in
                try await $0.filesToCheck(bucketID: bucketID, notCheckedSince: run.started, after: after, limit: 256)
            }
            guard let last = batch.last else { break }
            try await check(batch, runID: run.id, settings: settings, limiter: limiter) { check in
                state.files += 1
                state.bytes += check.bytes
                if check.outcome != .passed { state.failed += 1 }
                progress(state)
            }
            after = last.id
        }
        try await store.write { try await $0.finishRun(run.id, at: Date()) }
        state.failed = try await store.read { try await $0.failedFileCount(bucketID: bucketID) }
        return state
    }

    /// The audit state over the current period.
    public func status(period: Duration) async throws -> FixityStatus {
        let now = Date()
        let (totals, lastRun) = try await store.read { session in
            (
                try await session.fixityTotals(now: now, periodStart: now - period, recentSince: now - .seconds(3600)),
                try await session.lastRun()
            )
        }
        let lag = totals.overdue > 0 ? totals.oldestDue.map { max(now.timeIntervalSince($0), 0) } ?? 0 : 0
        return FixityStatus(period: period, totals: totals, lag: .seconds(lag), lastRun: lastRun)
    }

    /// How long the earliest scheduled check has been due (zero when none is): cheap enough for every pass.
    public func lag() async throws -> Duration {
        guard let due = try await store.read({ try await $0.earliestScheduledCheck() }) else { return .zero }
        return .seconds(max(Date().timeIntervalSince(due), 0))
    }

    public func failures() async throws -> [FixityFailure] {
        try await store.read { try await $0.fixityFailures() }
    }

    /// Every history entry since `since`, oldest first, page by page.
    public func history(since: Date, each: (FixityCheck) throws -> Void) async throws {
        var last: FixityCheck?
        while true {
            let page = try await store.read { [last] in try await $0.fixityHistory(since: since, after: last, limit: 1000) }
            try page.forEach(each)
            guard page.count == 1000 else { return }
            last = page.last
        }
    }
}

extension Date {
    static func + (date: Date, duration: Duration) -> Date {
        date.addingTimeInterval(duration.seconds)
    }

    static func - (date: Date, duration: Duration) -> Date {
        date.addingTimeInterval(-duration.seconds)
    }
}

extension Duration {
    /// In seconds, fractions included.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

import Foundation

/// Fixity (`files` check columns, `fixity_checks`, `fixity_runs`; see `FixityService`).
public protocol FixityQueries {
    /// Gives up to `limit` files without a scheduled check one at `now` plus a random part of `period`; returns how
    /// many it scheduled.
    func scheduleUncheckedFiles(now: Date, period: Duration, limit: Int) async throws -> Int

    /// Leases up to `limit` files whose scheduled check is due and that no one else holds, until `leaseUntil`.
    func claimDueFiles(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance]

    /// Records a check: the file's last check, its next one at `next` (its lease ends), and a history entry.
    func recordCheck(_ check: FixityCheck, next: Date) async throws

    /// Files in scope (a bucket's, or all) not checked since `since`, by id after `afterID`.
    func filesToCheck(bucketID: UUID?, notCheckedSince since: Date, after afterID: UUID?, limit: Int) async throws
        -> [FileInstance]

    /// How many files (and bytes) `filesToCheck` would give in all.
    func countFilesToCheck(bucketID: UUID?, notCheckedSince since: Date) async throws -> (files: Int, bytes: Int64)

    /// Files in scope whose last check failed.
    func failedFileCount(bucketID: UUID?) async throws -> Int

    /// The unfinished run of that scope, if any.
    func openRun(bucketID: UUID?) async throws -> FixityRun?

    func insertRun(_ run: FixityRun) async throws

    func finishRun(_ id: UUID, at date: Date) async throws

    func lastRun() async throws -> FixityRun?

    func fixityTotals(now: Date, periodStart: Date, recentSince: Date) async throws -> FixityTotals

    /// The earliest scheduled check (from the index, without scanning the files).
    func earliestScheduledCheck() async throws -> Date?

    /// Every version whose file's last check failed, with that check.
    func fixityFailures() async throws -> [FixityFailure]

    /// History entries checked at or after `since`, oldest first, after the entry `after` (keyset pagination).
    func fixityHistory(since: Date, after: FixityCheck?, limit: Int) async throws -> [FixityCheck]
}

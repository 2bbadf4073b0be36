import Foundation

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    public var expiredUploads = 0
    public var forgottenUploads = 0
    public var purgedFiles = 0
    public var reconciledBuckets = 0
    public var discardedBlobs = 0
    public var releasedReservations = 0
}

extension FilesAdministration {
    /// One pass of background maintenance, safe to run at any time and after any crash:
    /// - multipart uploads without activity for `uploadExpiry` are aborted (their quota and bytes released), and
    ///   completed ones are forgotten after the same time;
    /// - files whose last version went and whose bytes could not be deleted then are deleted now (claimed first, so
    ///   that of several daemons one deletes each);
    /// - with `reconcile`, bucket sizes are recomputed from the versions and reservations (they never should
    ///   have drifted; a non-zero count is logged);
    /// - first, pending blobs no live process is writing any more are settled or deleted (`recoverAbandonedBlobs`),
    ///   and the quota their uploads held is given back (`releaseAbandonedHolds`).
    public func maintain(uploadExpiry: TimeInterval, reconcile: Bool = false) async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        if let spaceReserve, spaceReserve.isReleased, spaceReserve.restore() {
            logger.notice("the disk has room again: space reserve restored, writes accepted")
        }
        report.discardedBlobs = try await recoverAbandonedBlobs()
        do {
            report.releasedReservations = try await releaseAbandonedHolds()
        } catch {
            // A location out of reach hides its pending blobs: nothing is released until it answers again.
            logger.error("could not check upload reservations", metadata: ["error": "\(error)"])
        }
        let cutoff = Date(timeIntervalSinceNow: -uploadExpiry)
        for upload in try await store.read({ try await $0.uploads(inactiveSince: cutoff, completed: false) }) {
            do {
                try await discard(upload, inactiveSince: cutoff)
                report.expiredUploads += 1
            } catch let error as FilesError where error == .uploadNotFound {
                continue  // completed or aborted meanwhile
            }
        }
        for upload in try await store.read({ try await $0.uploads(inactiveSince: cutoff, completed: true) }) {
            try await store.write { try await $0.deleteUpload(upload.id) }
            report.forgottenUploads += 1
        }
        let batch = 1000
        while true {
            let claimed = try await store.write { session in
                try await session.claimFilesToPurge(now: Date(), leaseUntil: Date(timeIntervalSinceNow: 600), limit: batch)
            }
            for file in claimed where await purge(file) { report.purgedFiles += 1 }
            if claimed.count < batch { break }
        }
        if reconcile {
            report.reconciledBuckets = try await store.write { try await $0.reconcileBucketSizes() }
        }
        if report != MaintenanceReport() {
            logger.notice(
                "maintenance",
                metadata: [
                    "expired_uploads": "\(report.expiredUploads)", "forgotten_uploads": "\(report.forgottenUploads)",
                    "purged_files": "\(report.purgedFiles)", "reconciled_buckets": "\(report.reconciledBuckets)",
                    "discarded_blobs": "\(report.discardedBlobs)", "released_reservations": "\(report.releasedReservations)",
                ])
        }
        return report
    }
}

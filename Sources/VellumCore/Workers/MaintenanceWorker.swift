import Foundation

/// The maintenance pass (`FilesAdministration.maintain`) as a worker: four times per multipart expiry period, at
/// most once a minute and at least once a second apart.
public struct MaintenanceWorker: BackgroundWorker {
    public let name = "maintenance"
    let administration: FilesAdministration
    let uploadExpiry: TimeInterval
    /// Told how many files' bytes each pass deleted (a metric).
    let purged: @Sendable (Int) -> Void

    public init(administration: FilesAdministration, uploadExpiry: TimeInterval, purged: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.administration = administration
        self.uploadExpiry = uploadExpiry
        self.purged = purged
    }

    public var interval: Duration { .workerInterval(1 / 4, of: uploadExpiry) }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        let report = try await administration.maintain(uploadExpiry: uploadExpiry)
        purged(report.purgedFiles)
        return WorkReport(
            items: report.expiredUploads + report.forgottenUploads + report.purgedFiles + report.reconciledBuckets
                + report.discardedBlobs + report.releasedReservations)
    }
}

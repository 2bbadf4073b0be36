import VellumCore

/// Opens the files of published records whose embargo has lifted, every minute (their metadata opens by itself at
/// the start of the day, as it is read).
public struct EmbargoWorker: BackgroundWorker {
    public let name = "embargo"
    public let interval: Duration = .seconds(60)
    let records: RecordsService

    public init(records: RecordsService) { self.records = records }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        WorkReport(items: try await records.liftEmbargoes())
    }
}

import Foundation

/// The fixity schedule as a worker: every hundredth of the period (between a second and a minute) it checks the
/// files whose check is due (`FixityService.checkDue`), at the settings' rate.
public struct FixityWorker: BackgroundWorker {
    public let name = "fixity"
    let fixity: FixityService
    let settings: FixitySettings
    let limiter: RateLimiter?
    /// Told the lag after each pass (a metric).
    let lag: @Sendable (Duration) -> Void

    public init(fixity: FixityService, settings: FixitySettings, lag: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.fixity = fixity
        self.settings = settings
        self.limiter = settings.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        self.lag = lag
    }

    public var interval: Duration { .workerInterval(1 / 100, of: settings.period.seconds) }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        let checked = try await fixity.checkDue(settings, limiter: limiter)
        lag(try await fixity.lag())
        return WorkReport(items: checked)
    }
}

import Logging
import ServiceLifecycle
import VellumCore
import VellumHTTP

/// Runs the daemon's fixity schedule (`FixityService.checkDue`) until graceful shutdown: every file once per period,
/// throttled, claimed through the database so a restart or a second daemon loses and repeats nothing.
struct FixityScheduler: Service {
    let fixity: FixityService
    let settings: FixitySettings
    let metrics: VellumMetrics
    let logger: Logger

    /// Between passes: a hundredth of the period, from one second to a minute.
    var interval: Duration { .seconds(min(max(settings.period.seconds / 100, 1), 60)) }

    func run() async throws {
        let limiter = settings.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await fixity.checkDue(settings, limiter: limiter)
                    metrics.fixityLag.set(try await fixity.lag().seconds)
                    try await Task.sleep(for: interval)
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("fixity pass failed; will retry", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }
}

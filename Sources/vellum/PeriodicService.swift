import Logging
import ServiceLifecycle

/// Runs `work` every `interval` while the daemon serves, and stops at graceful shutdown: the maintenance pass
/// (multipart expiry, retried deletions) and the fixity schedule. What they act on is in the database, so they pick
/// up after a restart; a failed pass is logged and the next one retries.
struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    /// `interval` is `fraction` of `span` (seconds), kept between one second and one minute.
    static func interval(_ fraction: Double, of span: Double) -> Duration {
        .seconds(min(max(span * fraction, 1), 60))
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    try await work()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("\(name) failed; will retry", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

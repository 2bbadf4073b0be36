import Logging
import ServiceLifecycle
import VellumCore

/// Runs `FilesService.maintain` periodically while the daemon serves (multipart expiry, retried deletions), and
/// stops at graceful shutdown. Everything it acts on is in the database, so it picks up after a restart.
struct MaintenanceService: Service {
    let files: FilesService
    let uploadExpiry: Double
    let logger: Logger

    /// Often enough that an upload expires within a quarter of its lifetime, at most once a second.
    var interval: Duration { .seconds(min(max(uploadExpiry / 4, 1), 60)) }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    _ = try await files.maintain(uploadExpiry: uploadExpiry)
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("maintenance failed; will retry", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

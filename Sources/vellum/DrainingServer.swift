import Logging
import ServiceLifecycle
import VellumHTTP

/// The HTTP server, with a deadline on its graceful shutdown: on SIGTERM it stops accepting connections and lets
/// the requests in flight finish for at most `drain` (`VELLUM_DRAIN_TIMEOUT`), then closes the connections left
/// (their requests fail), so the daemon always stops, and exits 0.
struct DrainingServer: Service {
    let server: any Service
    let connections: Connections
    let drain: Duration
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                try await gracefulShutdown()
                try await Task.sleep(for: drain)
                logger.warning("drain deadline passed; closing connections", metadata: ["connections": "\(connections.count)"])
                connections.closeAll()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

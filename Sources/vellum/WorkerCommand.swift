import ArgumentParser
import Foundation
import Logging
import VellumCore

/// `vellum worker list`: every daemon's background workers, as each daemon last recorded them (at most ten seconds
/// old while it runs; `GET /workers` answers one daemon's, live).
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Show background workers.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List each daemon's workers: name, daemon, state, passes, items, last finished, last error.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let store = try await Runtime.openStore(settings.resolvedDatabaseURL, logger: Logger(label: "vellum"))
            let statuses = try await store.whileRunning { try await store.read { try await $0.workerStatuses() } }
            let rows = statuses.map { worker in
                [
                    worker.name, worker.holder, worker.state.rawValue, "\(worker.passes)", "\(worker.items)",
                    worker.lastFinished.map { ISO8601DateFormatter().string(from: $0) } ?? "never", worker.lastError ?? "",
                ]
            }
            TextTable.print(["NAME", "DAEMON", "STATE", "PASSES", "ITEMS", "LAST FINISHED", "LAST ERROR"], rows)
        }
    }
}

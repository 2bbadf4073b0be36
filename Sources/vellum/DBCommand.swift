import ArgumentParser
import Foundation
import Logging
import VellumCore

/// `vellum db migrate` and `vellum db status`: the metadata database's schema, for operators. (Every command that
/// opens the database migrates it too, under a lock; `migrate` does only that.)
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Migrate the metadata database, or show its schema version.",
        subcommands: [Migrate.self, Status.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for status in try await DBCommand.status(try common.settings(), migrate: true) {
                print("\(status.label)schema at version \(status.applied.max() ?? 0) of \(status.known)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show applied and pending schema migrations (exit status 1 when some are pending).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let statuses = try await DBCommand.status(try common.settings(), migrate: false)
            for status in statuses {
                let applied = status.applied.map(String.init).joined(separator: " ")
                let pending = status.pending.map(String.init).joined(separator: " ")
                print("\(status.label)applied: \(applied.isEmpty ? "none" : applied)")
                print("\(status.label)pending: \(pending.isEmpty ? "none" : pending)")
            }
            if statuses.contains(where: { !$0.pending.isEmpty }) { throw ExitCode(1) }
        }
    }

    static func status(_ settings: Settings, migrate: Bool) async throws -> [MigrationStatus] {
        try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true)
        let store = try await Runtime.openStore(settings.resolvedDatabaseURL, logger: Logger(label: "vellum"), migrate: migrate)
        return try await store.whileRunning { try await store.migrationStatus() }
    }
}

extension MigrationStatus {
    /// How `vellum db` prefixes a module's lines: nothing for the files core (whose lines came first), `records: `.
    fileprivate var label: String { module == MigrationStatus.core ? "" : "\(module): " }
}

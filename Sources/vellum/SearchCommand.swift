import ArgumentParser
import Foundation
import Logging
import VellumRecords

/// `vellum search reindex|verify` (api.md §9): rebuilding the search index from the records while the daemon
/// serves, and comparing the two.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Rebuild or verify the records' search index.", subcommands: [Reindex.self, Verify.self])

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the search index from the records, in batches, while searches go on (run it again if it is stopped).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let count = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                let records = try settings.records(runtime.filesContext)
                let total = try await runtime.store.read { try await $0.queries(RecordQueries.self).recordCount() }
                let bar = ProgressBar(total: Int64(total), label: "reindexing", counting: true)
                let done = try await records.reindexSearch { bar.set(bytes: Int64($0), files: 0) }
                bar.finish()
                return done
            }
            print("\(count) records reindexed")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the search index with the records; exit 1, listing the differences, when they differ.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let problems = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).verifySearch()
            }
            guard problems.isEmpty else {
                print(problems.joined(separator: "\n"))
                print("\(problems.count) differences: run `vellum search reindex`.")
                throw ExitCode(1)
            }
            print("The search index agrees with the records.")
        }
    }
}

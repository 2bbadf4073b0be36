import ArgumentParser
import Foundation
import Logging
import Synchronization
import VellumCore

/// `vellum fixity run|status|history`: verify now, show the audit state, export the history.
struct FixityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixity", abstract: "Verify stored files against their checksums and report.",
        subcommands: [Run.self, Status.self, History.self])

    /// Opens the runtime, runs `body` with a fixity service, and closes it again.
    static func with<R>(_ common: CommonOptions, _ body: (FixityService, Settings) async throws -> R) async throws -> R {
        let settings = try common.settings()
        let logger = Logger(label: "vellum")
        return try await Runtime.with(settings, logger: logger) { runtime in
            try await body(FixityService(store: runtime.store, storage: runtime.storage, logger: logger), settings)
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every file (of a bucket) now; exit 1 if any file failed its check.",
            discussion: "Resumes an interrupted run of the same scope. Works while the daemon runs.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Only the files of this bucket.") var bucket: String?
        @Option(help: "At most this many MB/s (default: VELLUM_FIXITY_MAX_RATE, else unlimited).") var maxRate: Double?

        func run() async throws {
            let bucketID = try bucket.map { value in
                guard let id = UUID(uuidString: value) else { throw ValidationError("--bucket must be a bucket id.") }
                return id
            }
            let done = try await FixityCommand.with(common) { fixity, settings in
                var options = settings.fixity
                if let maxRate { options.maxRate = maxRate * 1e6 }
                let bar = FixityBar()
                let result = try await fixity.run(bucketID: bucketID, settings: options) { bar.show($0) }
                bar.finish()
                return result
            }
            print("verified \(done.files) files (\(done.bytes) bytes); \(done.failed) failed in scope")
            if done.failed > 0 { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the audit state.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let status = try await FixityCommand.with(common) { fixity, settings in
                try await fixity.status(period: .seconds(settings.fixityPeriod))
            }
            let totals = status.totals
            print(
                """
                files: \(totals.files) (\(totals.bytes) bytes), period \(Int(status.period.seconds)) s
                verified in period: \(totals.verifiedInPeriod), never checked: \(totals.neverChecked)
                overdue: \(totals.overdue) (lag \(Int(status.lag.seconds)) s), failed: \(totals.failures)
                last check: \(totals.lastCheckAt.map { "\($0)" } ?? "never")
                last hour: \(totals.recentFiles) files, \(totals.recentBytes) bytes
                """)
            if totals.failures > 0 { throw ExitCode(1) }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the checks since a time as JSON lines, oldest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "An ISO 8601 time (2026-01-31T00:00:00Z) or a duration ago (90s, 12h, 30d).") var since: String

        func run() async throws {
            let start: Date
            if let date = ISO8601DateFormatter().date(from: since) {
                start = date
            } else {
                start = Date(timeIntervalSinceNow: -(try SettingValue.duration(since, name: "--since")))
            }
            try await FixityCommand.with(common) { fixity, _ in
                try await fixity.history(since: start) { check in print(Self.line(check)) }
            }
        }

        static func line(_ c: FixityCheck) -> String {
            var object: [String: Any] = [
                "id": c.id.lowercased, "file_id": c.fileID.lowercased, "checked_at": ISO8601DateFormatter().string(from: c.checkedAt),
                "outcome": c.outcome.rawValue, "duration_seconds": c.duration.seconds, "bytes": c.bytes,
                "expected": ["size": c.expected.size as Any, "md5": c.expected.md5 as Any, "sha256": c.expected.sha256 as Any],
                "actual": ["size": c.actual.size as Any, "md5": c.actual.md5 as Any, "sha256": c.actual.sha256 as Any],
            ]
            if let run = c.runID { object["run_id"] = run.lowercased }
            if let detail = c.detail { object["detail"] = detail }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// The progress bar of `fixity run`, made when the first report brings the totals.
final class FixityBar: Sendable {
    private let bar = Mutex<ProgressBar?>(nil)

    func show(_ progress: FixityProgress) {
        bar.withLock { bar in
            let current = bar ?? ProgressBar(total: progress.totalBytes, totalFiles: progress.totalFiles, label: "fixity")
            current.set(bytes: progress.bytes, files: progress.files)
            bar = current
        }
    }

    func finish() {
        bar.withLock { $0?.finish() }
    }
}

import ArgumentParser
import Foundation
import Logging
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// `vellum migrate --from A --to B [--bucket X] [--max-rate MBps] [--delete-source]`: moves files' bytes between
/// storage locations while the daemon runs, verifying every copy; resumable (run it again).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Move files' bytes from one storage location to another, verifying each copy.",
        discussion: """
            The buckets in scope store new files in the target at once; each file is copied, read back and checked \
            against its checksums, then switched. Works while the daemon runs; run it again to resume after an \
            interruption. Exits 1 if any file could not be moved (it stays readable where it was).
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "The source location.") var from: String
    @Option(help: "The target location.") var to: String
    @Option(help: "Only the files of this bucket.") var bucket: String?
    @Option(help: "Read at most this many MB/s.") var maxRate: Double?
    @Flag(help: "Delete the source bytes of each file once it is switched (after a minute's grace).") var deleteSource = false
    @Option(help: .hidden) var sourceGrace: Double = 60

    func run() async throws {
        let bucketID = try bucket.map { value in
            guard let id = UUID(uuidString: value) else { throw ValidationError("--bucket must be a bucket id.") }
            return id
        }
        if let maxRate, maxRate <= 0 { throw ValidationError("--max-rate must be positive.") }
        let logger = Logger(label: "vellum")
        let runtime = try await Runtime.open(try common.settings(), logger: logger)
        let files = FilesService(store: runtime.store, storage: runtime.storage, logger: logger)
        var request = MigrationRequest(
            from: from, to: to, bucketID: bucketID, maxRate: maxRate.map { $0 * 1e6 }, deleteSource: deleteSource,
            sourceGrace: .milliseconds(Int(sourceGrace * 1000)))
        // The lease's holder names this process, so that a run killed on this machine does not block the next.
        let host = ProcessInfo.processInfo.hostName
        request.holder = "\(host):\(getpid()):\(UUID().uuidString.lowercased())"
        request.holderIsGone = { holder in
            let parts = holder.split(separator: ":")
            guard parts.count == 3, parts[0] == host, let pid = Int32(parts[1]) else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        let report: MigrationReport
        do {
            let totals = try await files.migrationTotals(request)
            let bar = ProgressBar(total: totals.bytes, label: "migrating \(totals.files) files")
            report = try await files.migrate(request) { bar.add($0) }
            bar.finish()
        } catch {
            await runtime.shutdown()
            throw error
        }
        await runtime.shutdown()
        for failure in report.failed { print("failed\t\(failure.id.lowercased)\t\(failure.reason)") }
        print(
            "moved \(report.files) files (\(report.bytes) bytes) from \(from) to \(to); \(report.buckets) buckets now "
                + "store new files in \(to); \(report.failed.count) failed"
                + (deleteSource ? "; \(report.deleted) source copies deleted" : ""))
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}

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
        let settings = try common.settings()
        var request = MigrationRequest(
            from: from, to: to, bucketID: bucketID, maxRate: maxRate.map { $0 * 1e6 }, deleteSource: deleteSource,
            sourceGrace: .milliseconds(Int(sourceGrace * 1000)))
        // The lease's holder names this process's lock file in the data directory, held while it runs, so that a
        // run killed on this machine (or another sharing the data directory) does not block the next.
        let runs = URL(fileURLWithPath: settings.dataDir).appendingPathComponent("migrations").path
        try FileManager.default.createDirectory(atPath: runs, withIntermediateDirectories: true)
        let me = UUID().uuidString.lowercased()
        let lock = open("\(runs)/\(me).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else { throw ValidationError("cannot lock \(runs)/\(me).lock") }
        defer {
            unlink("\(runs)/\(me).lock")
            close(lock)
        }
        request.holder = "\(ProcessInfo.processInfo.hostName):\(me)"
        request.holderIsGone = { holder in
            guard let id = holder.split(separator: ":").last else { return false }
            let fd = open("\(runs)/\(id).lock", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return false }  // not a run of this data directory: wait for its lease to lapse
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
            unlink("\(runs)/\(id).lock")
            return true
        }
        let report = try await Runtime.with(settings, logger: logger) { [request] runtime in
            let files = FilesServices(FilesContext(store: runtime.store, storage: runtime.storage, logger: logger))
            let totals = try await files.administration.migrationTotals(request)
            let bar = ProgressBar(total: totals.bytes, label: "migrating \(totals.files) files")
            // The storage worker keeps this process's S3 runs alive while it writes, as a daemon's does.
            let report = try await files.administration.migrate(request, alongside: [StorageWorker(storage: runtime.storage)]) {
                bar.add($0)
            }
            bar.finish()
            return report
        }
        for failure in report.failed { print("failed\t\(failure.id.lowercased)\t\(failure.reason)") }
        print(
            "moved \(report.files) files (\(report.bytes) bytes) from \(from) to \(to); \(report.buckets) buckets now "
                + "store new files in \(to); \(report.failed.count) failed"
                + (deleteSource ? "; \(report.deleted) source copies deleted" : ""))
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}

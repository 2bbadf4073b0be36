import ArgumentParser
import Logging
import VellumCore

/// `vellum gc [--delete]`: finds stored bytes that nothing refers to (what a power loss can leave), and removes
/// them when asked. Works while the daemon runs.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Find (and with --delete remove) stored bytes that no file refers to.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Delete the unreferenced blobs (default: only list them).") var delete = false

    func run() async throws {
        let logger = Logger(label: "vellum")
        let report = try await Runtime.with(try common.settings(), logger: logger) { [delete] runtime in
            let files = FilesServices(FilesContext(store: runtime.store, storage: runtime.storage, logger: logger))
            return try await files.administration.scanUnreferenced(delete: delete)
        }
        for blob in report.unreferenced { print("\(blob.location)\t\(blob.id.lowercased)\t\(blob.size)") }
        let bytes = report.unreferenced.reduce(Int64(0)) { $0 + $1.size }
        print(
            "scanned \(report.scanned) blobs: \(report.unreferenced.count) unreferenced (\(bytes) bytes)"
                + (delete ? ", \(report.deleted) deleted" : ""))
    }
}

import ArgumentParser
import Foundation
import Logging
import VellumCore
import VellumHTTPSupport
import VellumRecords

/// `vellum pid status|retry|redirect` (api.md §8): the DOIs DataCite has not taken, sending failed ones again, and
/// pointing a PID at another (merging two records).
struct PIDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pid", abstract: "Show and retry DOI registrations; redirect PIDs.", subcommands: [Status.self, Retry.self, Redirect.self])

    static let admin = Principal(tokenID: nil, isAdmin: true)

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "List the DOIs DataCite has not taken: failed ones (refused, with DataCite's error), then pending ones; or one PID's status and history."
        )
        @OptionGroup var common: CommonOptions
        @Argument(help: "A PID, SCHEME:VALUE: its status, what it points at, and its events.") var pid: String?

        func run() async throws {
            let settings = try common.settings()
            let reference = try pid.map(Redirect.reference)
            let lines = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                let records = try settings.records(runtime.filesContext)
                if let reference {
                    let (pid, events) = try await records.history(of: reference, by: PIDCommand.admin)
                    let target = pid.redirect.map { " → \($0.scheme.rawValue):\($0.value)" } ?? ""
                    return ["\(pid.scheme.rawValue):\(pid.value)\t\(pid.status.rawValue)\t\(pid.object.rawValue) \(pid.objectID)\(target)"]
                        + events.map { "\(Timestamp.string($0.at))\t\($0.event)" + ($0.detail.map { "\t\($0)" } ?? "") }
                }
                var lines: [String] = []
                for state in [DOITask.State.failed, .pending] {
                    for task in try await records.doiTasks(state, by: PIDCommand.admin) {
                        lines.append("\(task.doi)\t\(state.rawValue)\t\(task.attempts) attempts\t\(task.lastError ?? "")")
                    }
                }
                return lines
            }
            print(lines.isEmpty ? "Every DOI is registered." : lines.joined(separator: "\n"))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send failed DOIs to DataCite again (every failed one without arguments).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "DOIs (default: every failed one).") var dois: [String] = []

        func run() async throws {
            let settings = try common.settings()
            let dois = self.dois
            let count = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).retryDOIs(dois, by: PIDCommand.admin)
            }
            print("\(count) DOIs to be sent again")
        }
    }

    struct Redirect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point a registered PID at another (merging two records): the resolver answers 301 to the target.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The PID that redirects, SCHEME:VALUE (recid:12, doi:10.5072/vellum.12).") var from: String
        @Argument(help: "The PID it leads to, SCHEME:VALUE.") var to: String

        func run() async throws {
            let (from, to) = (try Self.reference(self.from), try Self.reference(self.to))
            let settings = try common.settings()
            try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).redirect(from, to: to, by: PIDCommand.admin)
            }
            print("\(self.from) now redirects to \(self.to)")
        }

        static func reference(_ text: String) throws -> PID.Reference {
            guard let colon = text.firstIndex(of: ":"), let scheme = PID.Scheme(rawValue: String(text[..<colon])),
                text.index(after: colon) < text.endIndex
            else { throw ValidationError("A PID is SCHEME:VALUE, SCHEME one of \(PID.Scheme.allCases.map(\.rawValue).joined(separator: ", ")).") }
            return PID.Reference(scheme, String(text[text.index(after: colon)...]))
        }
    }
}

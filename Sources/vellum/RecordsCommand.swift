import ArgumentParser
import Foundation
import JSONSchema
import Logging
import VellumCore
import VellumRecords

/// `vellum records export [--since T] [--heads]`: the records as JSON lines on standard output, for moving them to
/// another deployment or keeping them elsewhere: every revision (whole, with its actor, time and hash, so the chain
/// can be checked there), or with `--heads` each record as it is now.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Export records.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write records as JSON lines: every revision made since T, or (--heads) every record changed since T.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only what was made or changed at or after this time (ISO 8601, e.g. 2026-12-01T00:00:00Z).")
        var since: String?
        @Flag(help: "Each record as it is now, instead of every revision.") var heads = false

        func run() async throws {
            var start = Date(timeIntervalSince1970: 0)
            if let since {
                guard let date = ISO8601DateFormatter().date(from: since) else {
                    throw ValidationError("--since takes an ISO 8601 time, such as 2026-12-01T00:00:00Z.")
                }
                start = date
            }
            let settings = try common.settings()
            let store = try await Runtime.openStore(settings.resolvedDatabaseURL, logger: Logger(label: "vellum"))
            let heads = self.heads
            let since = start
            try await store.whileRunning {
                if heads {
                    var after: Int64 = 0
                    while true {
                        let position = after
                        let page = try await store.read {
                            try await $0.queries(RecordQueries.self).records(since: since, after: position, limit: 500)
                        }
                        for record in page { Self.line(Self.json(record)) }
                        guard let last = page.last else { break }
                        after = last.id
                    }
                } else {
                    var after: (Int64, Int)?
                    while true {
                        let position = after
                        let page = try await store.read {
                            try await $0.queries(RecordQueries.self).revisions(since: since, after: position, limit: 500)
                        }
                        for revision in page { Self.line(Self.json(revision)) }
                        guard let last = page.last else { break }
                        after = (last.recordID, last.revision)
                    }
                }
            }
        }

        static func line(_ json: JSON) { print(json.serialized(sortedKeys: true)) }

        static func time(_ date: Date) -> JSON {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return .string(formatter.string(from: date))
        }

        static func json(_ revision: RecordRevision) -> JSON {
            .object([
                "id": .string(String(revision.recordID)), "revision_id": .number(Double(revision.revision)), "created": time(revision.created),
                "actor": revision.actor.map(JSON.string) ?? .null, "hash": .string(revision.hash), "document": revision.document,
            ])
        }

        static func json(_ record: Record) -> JSON {
            .object([
                "id": .string(String(record.id)), "concept_id": .string(String(record.conceptID)), "status": .string(record.status.rawValue),
                "revision_id": .number(Double(record.revision)), "created": time(record.created), "updated": time(record.updated),
                "owner": record.owner.map(JSON.string) ?? .null, "bucket": .string(record.bucketID.lowercased), "document": record.document,
            ])
        }
    }
}

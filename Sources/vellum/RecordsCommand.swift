import ArgumentParser
import Foundation
import JSONSchema
import Logging
import VellumCore
import VellumHTTPSupport
import VellumRecords

/// `vellum records export [--since T] [--heads]`: the records as JSON lines on standard output, for moving them to
/// another deployment or keeping them elsewhere: every revision (whole, with its actor, time and hash, so the chain
/// can be checked there), or with `--heads` each record as it is now. `vellum records import FILE...` reads both
/// back into another deployment.
struct RecordsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Export and import records.", subcommands: [Export.self, Import.self])

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

        static func time(_ date: Date) -> JSON { .string(Timestamp.string(date)) }

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
                "version_index": .number(Double(record.versionIndex)), "tombstone": record.tombstone ?? .null,
            ])
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read records that `vellum records export --heads` and `vellum records export` wrote (both are needed).",
            discussion: """
                Each record keeps its id, concept, revisions and hashes (the chain is checked first); a record already \
                here with the same history is left as it is, one with another history is refused. Files are not part \
                of an export: a record gets the bucket of its id when this deployment has it, else an empty one. \
                Exit status 1 when some record could not be imported (each is named on standard error).
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "JSON lines files (`-` for standard input): record lines and revision lines, in any order.")
        var files: [String]

        func run() async throws {
            var heads: [Record] = []
            var revisions: [Int64: [RecordRevision]] = [:]
            for file in files {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
                guard let data else { throw ValidationError("\(file) cannot be read.") }
                for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 }) {
                    do {
                        let json = try JSON(parsing: Array(line))
                        if json["status"] != nil {
                            heads.append(try Self.record(json))
                        } else {
                            let revision = try Self.revision(json)
                            revisions[revision.recordID, default: []].append(revision)
                        }
                    } catch {
                        throw ValidationError("\(file), line \(number + 1): \(error)")
                    }
                }
            }
            let settings = try common.settings()
            let (imported, unchanged, failed) = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                let records = try settings.records(runtime.filesContext)
                var counts = (0, 0, 0)
                for head in heads.sorted(by: { $0.id < $1.id }) {
                    do {
                        let history = (revisions[head.id] ?? []).sorted { $0.revision < $1.revision }
                        switch try await records.importRecord(head, revisions: history) {
                        case .imported: counts.0 += 1
                        case .unchanged: counts.1 += 1
                        }
                    } catch {
                        FileHandle.standardError.write(Data("record \(head.id): \(error)\n".utf8))
                        counts.2 += 1
                    }
                }
                return counts
            }
            print("\(imported) imported, \(unchanged) already here, \(failed) refused")
            if failed > 0 { throw ExitCode(1) }
        }

        static func int(_ json: JSON?, _ name: String) throws -> Int64 {
            guard let value = json?.stringValue.flatMap({ Int64($0) }) ?? json?.numberValue.flatMap({ Int64(exactly: $0) }) else {
                throw RecordsError(.invalid, "\(name) is missing or not a number")
            }
            return value
        }

        static func time(_ json: JSON?, _ name: String) throws -> Date {
            guard let date = json?.stringValue.flatMap(Timestamp.parse) else {
                throw RecordsError(.invalid, "\(name) is missing or not an ISO 8601 time")
            }
            return date
        }

        static func record(_ json: JSON) throws -> Record {
            guard let status = json["status"]?.stringValue.flatMap(Record.Status.init(rawValue:)),
                let bucket = json["bucket"]?.stringValue.flatMap(UUID.init(uuidString:)), let document = json["document"]
            else { throw RecordsError(.invalid, "a record line needs status, bucket and document") }
            let tombstone = json["tombstone"].flatMap { $0 == .null ? nil : $0 }
            return Record(
                id: try int(json["id"], "id"), conceptID: try int(json["concept_id"], "concept_id"),
                versionIndex: Int(try int(json["version_index"] ?? .number(1), "version_index")), status: status,
                revision: Int(try int(json["revision_id"], "revision_id")), owner: json["owner"]?.stringValue, bucketID: bucket,
                document: document, created: try time(json["created"], "created"), updated: try time(json["updated"], "updated"),
                tombstone: tombstone)
        }

        static func revision(_ json: JSON) throws -> RecordRevision {
            guard let hash = json["hash"]?.stringValue, let document = json["document"] else {
                throw RecordsError(.invalid, "a revision line needs hash and document")
            }
            return RecordRevision(
                recordID: try int(json["id"], "id"), revision: Int(try int(json["revision_id"], "revision_id")),
                created: try time(json["created"], "created"), actor: json["actor"]?.stringValue, hash: hash, document: document)
        }
    }
}

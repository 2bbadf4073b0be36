import Foundation
import JSONSchema
import RecordExports
import VellumCore

/// Records as their exports (api.md §8) and DataCite see them.
extension RecordsService {
    /// The record (or, `isConcept`, its concept) as the exports read it: its DOIs, its files (their URLs made by
    /// `fileURL`), the site's publisher.
    public func exportRecord(
        _ record: Record, isConcept: Bool = false, fileURL: @escaping @Sendable (ObjectVersion) -> String
    ) async throws -> ExportRecord {
        try await exportRecords([record], isConcept: isConcept, fileURL: fileURL)[0]
    }

    /// Records as the exports read them, in one read transaction (their DOIs in two queries).
    public func exportRecords(
        _ records: [Record], isConcept: Bool = false, fileURL: @escaping @Sendable (ObjectVersion) -> String
    ) async throws -> [ExportRecord] {
        try await store.read { [site] session in
            let pids = try session.queries(PIDQueries.self)
            let dois = { (object: PID.Object, ids: [Int64]) in
                Dictionary(try await pids.pids(of: object, ids).filter { $0.scheme == .doi }.map { ($0.objectID, $0.value) }, uniquingKeysWith: min)
            }
            let (own, concepts) = (try await dois(.record, records.map(\.id)), try await dois(.concept, records.map(\.conceptID)))
            var exports: [ExportRecord] = []
            for record in records {
                let versions = try await session.listVersions(ListQuery(bucketID: record.bucketID, limit: 10_000, allVersions: false))
                exports.append(
                    Self.exportRecord(
                        record, site: site, doi: own[record.id], conceptDOI: concepts[record.conceptID], isConcept: isConcept,
                        files: versions.map { ExportRecord.File(key: $0.key, size: $0.size, mimetype: $0.mimetype, url: fileURL($0)) }))
            }
            return exports
        }
    }

    static func exportRecord(
        _ record: Record, site: RecordsSite, doi: String?, conceptDOI: String?, isConcept: Bool = false, files: [ExportRecord.File] = []
    ) -> ExportRecord {
        var export = ExportRecord(
            id: record.id, conceptID: record.conceptID, doi: doi, conceptDOI: conceptDOI,
            url: DOIWorker.url(record, isConcept: isConcept, site), publisher: site.publisher,
            metadata: record.document["metadata"] ?? .object([:]), created: record.created, versionIndex: record.versionIndex, files: files)
        export.isConcept = isConcept
        return export
    }
}

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
        try await store.read { session in
            let pids = try session.queries(PIDQueries.self)
            let doi = try await pids.pids(of: .record, record.id).first { $0.scheme == .doi }?.value
            let conceptDOI = try await pids.pids(of: .concept, record.conceptID).first { $0.scheme == .doi }?.value
            let versions = try await session.listVersions(ListQuery(bucketID: record.bucketID, limit: 10_000, allVersions: false))
            return Self.exportRecord(
                record, site: site, doi: doi, conceptDOI: conceptDOI, isConcept: isConcept,
                files: versions.map {
                    ExportRecord.File(key: $0.key, size: $0.size, mimetype: $0.mimetype, url: fileURL($0))
                })
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

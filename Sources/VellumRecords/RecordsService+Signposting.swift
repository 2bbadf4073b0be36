import Foundation
import VellumCore

/// FAIR Signposting (api.md §8): the links machines follow from a record to its files, metadata and citation.
extension RecordsService {
    /// How the record is cited: its DOI (`https://doi.org/{doi}`) when it has one, else its URL.
    func citeAs(_ record: Record, publicURL: String, _ session: any MetadataSession) async throws -> String {
        let doi = try await session.queries(PIDQueries.self).pids(of: .record, record.id).first { $0.scheme == .doi && $0.status != .deleted }
        return doi.map { "https://doi.org/\($0.value)" } ?? "\(publicURL)/records/\(record.id)"
    }

    /// The `Link` value of a download from a record's bucket: `collection` (the record) and `cite-as`, for a
    /// published record anyone may see; nil for other buckets.
    public func downloadSignposts(bucket: UUID, publicURL: String) async throws -> String? {
        try await store.read { session in
            guard let record = try await session.queries(RecordQueries.self).record(bucket: bucket), record.status == .published,
                record.access.isPublic(at: Date()).record
            else { return nil }
            let citeAs = try await citeAs(record, publicURL: publicURL, session)
            return "<\(publicURL)/records/\(record.id)>; rel=\"collection\"; type=\"application/json\", <\(citeAs)>; rel=\"cite-as\""
        }
    }
}

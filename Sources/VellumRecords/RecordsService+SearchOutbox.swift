import Foundation
import JSONSchema
import VellumCore

extension RecordsService {
    /// Sends what the outbox holds to the search index outside the database, 500 records at a time, each as it now
    /// stands (a document, or its removal); with `refresh`, returns once searches see them (a write request waits
    /// for this before it answers: read-your-writes). Without such an index the outbox is only emptied. Returns how
    /// many records were sent.
    @discardableResult
    public func drainSearchOutbox(refresh: Bool) async throws -> Int {
        guard let index = searchIndex else {
            return try await store.write { try await $0.queries(SearchQueries.self).clearOutbox() }
        }
        return try await outboxGate.run {
            var sent = 0
            while true {
                let now = Date()
                let rows = try await store.write {
                    try await $0.queries(SearchQueries.self).claimOutbox(limit: 500, until: now.addingTimeInterval(60), now: now)
                }
                guard !rows.isEmpty else { return sent }
                let documents = try await store.read { session in
                    try await Self.searchDocuments(try await session.queries(RecordQueries.self).records(rows.map(\.id)), in: session)
                }
                let kept = Set(documents.map(\.id))
                try await index.write(documents, removing: rows.map(\.id).filter { !kept.contains($0) }, target: nil, refresh: refresh)
                try await store.write { try await $0.queries(SearchQueries.self).finishOutbox(rows) }
                sent += rows.count
            }
        }
    }

    /// The documents of those of the records that are searched, with their DOIs.
    static func searchDocuments(_ records: [Record], in session: any MetadataSession) async throws -> [SearchDocument] {
        let pids = try await pidsJSON(of: records, in: session)
        return records.compactMap { record in
            guard var document = SearchDocument(record) else { return nil }
            document.dois = ["doi", "concept_doi"].compactMap { pids[record.id]?[$0]?["identifier"]?.stringValue?.lowercased() }
            return document
        }
    }
}

/// Sends the search outbox every second (what a write request did not send itself: embargoes lifted, records
/// imported by the command line, a daemon killed before it sent), or empties it when the database's own index is
/// the one searched.
public struct SearchOutboxWorker: BackgroundWorker {
    public let name = "search"
    public let interval: Duration
    let records: RecordsService

    public init(records: RecordsService) {
        self.records = records
        interval = records.searchIndex == nil ? .seconds(60) : .seconds(1)
    }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        WorkReport(items: try await records.drainSearchOutbox(refresh: false))
    }
}

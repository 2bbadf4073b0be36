import Foundation

/// The records' queries, run in the files store's transactions (`session.queries(RecordQueries.self)`); the
/// records store target gives them to the SQL session.
public protocol RecordQueries: Sendable {
    /// `count` ids never given before (records and concepts share them).
    func nextRecordIDs(_ count: Int) async throws -> [Int64]
    func insertRecord(_ record: Record) async throws
    func record(_ id: Int64) async throws -> Record?
    /// Stores `record` if the stored one is at the revision before it; false when it is not (another writer won).
    func updateRecord(_ record: Record) async throws -> Bool
    func insertRevision(_ revision: RecordRevision) async throws
    /// Oldest first.
    func revisions(of id: Int64) async throws -> [RecordRevision]
    /// The hash of the record's latest revision (what the next one chains to).
    func lastRevisionHash(of id: Int64) async throws -> String?
    /// Revisions made at or after `since`, by record id and revision, the first `limit` after `after`
    /// (a record id and revision; nil from the start): what `vellum records export` pages through.
    func revisions(since: Date, after: (Int64, Int)?, limit: Int) async throws -> [RecordRevision]
    /// Records changed at or after `since`, by id, the first `limit` with an id above `after`.
    func records(since: Date, after: Int64, limit: Int) async throws -> [Record]
}

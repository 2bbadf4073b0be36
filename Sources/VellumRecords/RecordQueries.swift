import Foundation

/// The records' queries, run in the files store's transactions (`session.queries(RecordQueries.self)`); the
/// records store target gives them to the SQL session.
public protocol RecordQueries: Sendable {
    /// `count` ids never given before (records and concepts share them).
    func nextRecordIDs(_ count: Int) async throws -> [Int64]
    /// Makes sure ids up to `id` are never given (records imported with their ids).
    func reserveRecordIDs(through id: Int64) async throws
    func insertRecord(_ record: Record) async throws
    func record(_ id: Int64) async throws -> Record?
    /// Those of `ids` that exist, in `ids`' order.
    func records(_ ids: [Int64]) async throws -> [Record]
    /// The record whose bucket this is.
    func record(bucket: UUID) async throws -> Record?
    /// Stores `record` if the stored one is at the revision before it; false when it is not (another writer won).
    func updateRecord(_ record: Record) async throws -> Bool
    /// Removes a record and its revisions (a draft that is deleted).
    func deleteRecord(_ id: Int64) async throws
    /// Marks the concept's newest published version as its latest (and no other).
    func markLatest(concept: Int64) async throws
    /// The concept's record with the highest version index (its draft, when it has one), if any.
    func newestVersion(concept: Int64) async throws -> Record?
    /// The concept's published versions (not removed ones), newest first.
    func publishedVersions(concept: Int64) async throws -> [Record]
    /// Published records with an embargo that has not been lifted yet, whose day is `day` (`YYYY-MM-DD`) or before.
    func embargoesDue(on day: String) async throws -> [Record]
    /// Records that the embargo worker has opened the files of a record whose embargo lifted.
    func embargoLifted(_ id: Int64) async throws
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
    /// How many records there are (drafts and removed ones too).
    func recordCount() async throws -> Int
    /// An owner's drafts, the last changed first, and how many there are.
    func drafts(owner: String, offset: Int, limit: Int) async throws -> (total: Int, records: [Record])

    /// A registered schema's text, by name.
    func schema(_ name: String) async throws -> String?
    func insertSchema(name: String, text: String, created: Date) async throws
    /// Every registered schema, by name.
    func schemas() async throws -> [(name: String, text: String)]
}

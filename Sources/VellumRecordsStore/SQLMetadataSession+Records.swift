import Foundation
import JSONSchema
import SQLKit
import VellumCore
import VellumRecords
import VellumStore

/// `records`, `record_revisions` and `record_counter`; documents are stored as compact JSON text.
extension SQLMetadataSession: RecordQueries {
    public func nextRecordIDs(_ count: Int) async throws -> [Int64] {
        let row = try await db.raw(
            "UPDATE record_counter SET last = last + \(bind: Int64(count)) WHERE name = 'records' RETURNING last"
        ).first()
        guard let last = try row?.decode(column: "last", as: Int64.self) else {
            throw StorageError(.failure, "The records' id counter is missing.")
        }
        return (0..<Int64(count)).map { last - Int64(count) + 1 + $0 }
    }

    public func reserveRecordIDs(through id: Int64) async throws {
        try await db.raw("UPDATE record_counter SET last = \(bind: id) WHERE name = 'records' AND last < \(bind: id)").run()
    }

    public func insertRecord(_ record: Record) async throws {
        try await db.raw(
            """
            INSERT INTO records (id, concept_id, version_index, is_latest, status, revision, owner, bucket_id, document,
                created, updated, tombstone, embargo_until)
            VALUES (\(bind: record.id), \(bind: record.conceptID), \(bind: record.versionIndex), \(bind: record.isLatest),
                    \(bind: record.status.rawValue), \(bind: record.revision), \(bind: record.owner),
                    \(bind: record.bucketID.lowercased), \(bind: record.document.serialized()), \(bind: record.created.micros),
                    \(bind: record.updated.micros), \(bind: record.tombstone?.serialized()), \(bind: record.embargoAhead))
            """
        ).run()
        try await trackOAI(record)
        try await index(record)
    }

    public func record(_ id: Int64) async throws -> Record? {
        try await db.raw("SELECT * FROM records WHERE id = \(bind: id)\(unsafeRaw: rowLock)").first().map(Self.record(from:))
    }

    public func records(_ ids: [Int64]) async throws -> [Record] {
        guard !ids.isEmpty else { return [] }
        let found = try await db.raw("SELECT * FROM records WHERE id IN (\(binds: ids))").all().map(Self.record(from:))
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byID[$0] }
    }

    public func record(bucket: UUID) async throws -> Record? {
        try await db.raw("SELECT * FROM records WHERE bucket_id = \(bind: bucket.lowercased)").first().map(Self.record(from:))
    }

    public func updateRecord(_ record: Record) async throws -> Bool {
        let rows = try await db.raw(
            """
            UPDATE records SET status = \(bind: record.status.rawValue), revision = \(bind: record.revision),
                document = \(bind: record.document.serialized()), updated = \(bind: record.updated.micros),
                tombstone = \(bind: record.tombstone?.serialized()), embargo_until = \(bind: record.embargoAhead)
            WHERE id = \(bind: record.id) AND revision = \(bind: record.revision - 1) RETURNING id
            """
        ).all()
        if !rows.isEmpty {
            try await trackOAI(record)
            try await index(record)
        }
        return !rows.isEmpty
    }

    public func deleteRecord(_ id: Int64) async throws {
        try await db.raw("DELETE FROM record_revisions WHERE record_id = \(bind: id)").run()
        try await db.raw("DELETE FROM records WHERE id = \(bind: id)").run()
        try await unindex(id)
    }

    public func markLatest(concept: Int64) async throws {
        try await db.raw("UPDATE records SET is_latest = \(bind: false) WHERE concept_id = \(bind: concept) AND is_latest = TRUE").run()
        try await db.raw(
            """
            UPDATE records SET is_latest = \(bind: true) WHERE id = (SELECT id FROM records
                WHERE concept_id = \(bind: concept) AND status = 'published' ORDER BY version_index DESC LIMIT 1)
            """
        ).run()
        try await indexLatest(concept: concept)
    }

    public func newestVersion(concept: Int64) async throws -> Record? {
        try await db.raw("SELECT * FROM records WHERE concept_id = \(bind: concept) ORDER BY version_index DESC LIMIT 1").first()
            .map(Self.record(from:))
    }

    public func publishedVersions(concept: Int64) async throws -> [Record] {
        try await db.raw(
            "SELECT * FROM records WHERE concept_id = \(bind: concept) AND status = 'published' ORDER BY version_index DESC"
        ).all().map(Self.record(from:))
    }

    public func embargoesDue(on day: String) async throws -> [Record] {
        try await db.raw("SELECT * FROM records WHERE embargo_until <= \(bind: day) ORDER BY id LIMIT 500").all().map(Self.record(from:))
    }

    public func embargoLifted(_ id: Int64) async throws {
        try await db.raw("UPDATE records SET embargo_until = NULL WHERE id = \(bind: id)").run()
    }

    public func schema(_ name: String) async throws -> String? {
        try await db.raw("SELECT body FROM record_schemas WHERE name = \(bind: name)").first()?.decode(column: "body", as: String.self)
    }

    public func insertSchema(name: String, text: String, created: Date) async throws {
        try await db.raw(
            "INSERT INTO record_schemas (name, body, created) VALUES (\(bind: name), \(bind: text), \(bind: created.micros))"
        ).run()
    }

    public func schemas() async throws -> [(name: String, text: String)] {
        try await db.raw("SELECT name, body FROM record_schemas ORDER BY name").all().map {
            (try $0.decode(column: "name", as: String.self), try $0.decode(column: "body", as: String.self))
        }
    }

    public func insertRevision(_ revision: RecordRevision) async throws {
        try await db.raw(
            """
            INSERT INTO record_revisions (record_id, revision, created, actor, hash, document)
            VALUES (\(bind: revision.recordID), \(bind: revision.revision), \(bind: revision.created.micros),
                    \(bind: revision.actor), \(bind: revision.hash), \(bind: revision.document.serialized()))
            """
        ).run()
    }

    public func revisions(of id: Int64) async throws -> [RecordRevision] {
        try await db.raw("SELECT * FROM record_revisions WHERE record_id = \(bind: id) ORDER BY revision").all().map(Self.revision(from:))
    }

    public func lastRevisionHash(of id: Int64) async throws -> String? {
        try await db.raw("SELECT hash FROM record_revisions WHERE record_id = \(bind: id) ORDER BY revision DESC LIMIT 1").first()?
            .decode(column: "hash", as: String.self)
    }

    public func revisions(since: Date, after: (Int64, Int)?, limit: Int) async throws -> [RecordRevision] {
        let (id, revision) = after ?? (0, 0)
        return try await db.raw(
            """
            SELECT * FROM record_revisions WHERE created >= \(bind: since.micros)
                AND (record_id > \(bind: id) OR (record_id = \(bind: id) AND revision > \(bind: revision)))
            ORDER BY record_id, revision LIMIT \(bind: limit)
            """
        ).all().map(Self.revision(from:))
    }

    public func recordCount() async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM records").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func drafts(owner: String, offset: Int, limit: Int) async throws -> (total: Int, records: [Record]) {
        let total =
            try await db.raw("SELECT COUNT(*) AS n FROM records WHERE owner = \(bind: owner) AND status = 'draft'").first()?
            .decode(column: "n", as: Int.self) ?? 0
        let records = try await db.raw(
            """
            SELECT * FROM records WHERE owner = \(bind: owner) AND status = 'draft' ORDER BY updated DESC, id DESC
            LIMIT \(bind: limit) OFFSET \(bind: offset)
            """
        ).all().map(Self.record(from:))
        return (total, records)
    }

    public func records(since: Date, after: Int64, limit: Int) async throws -> [Record] {
        try await db.raw(
            "SELECT * FROM records WHERE updated >= \(bind: since.micros) AND id > \(bind: after) ORDER BY id LIMIT \(bind: limit)"
        ).all().map(Self.record(from:))
    }

    static func revision(from row: any SQLRow) throws -> RecordRevision {
        RecordRevision(
            recordID: try row.decode(column: "record_id", as: Int64.self), revision: try row.decode(column: "revision", as: Int.self),
            created: .micros(try row.decode(column: "created", as: Int64.self)), actor: try row.decode(column: "actor", as: String?.self),
            hash: try row.decode(column: "hash", as: String.self), document: try JSON(parsing: try row.decode(column: "document", as: String.self)))
    }

    static func record(from row: any SQLRow) throws -> Record {
        let status = try row.decode(column: "status", as: String.self)
        guard let bucket = UUID(uuidString: try row.decode(column: "bucket_id", as: String.self)),
            let state = Record.Status(rawValue: status)
        else { throw StorageError(.failure, "Corrupt record row.") }
        return Record(
            id: try row.decode(column: "id", as: Int64.self), conceptID: try row.decode(column: "concept_id", as: Int64.self),
            versionIndex: try row.decode(column: "version_index", as: Int.self), isLatest: try row.decode(column: "is_latest", as: Bool.self),
            status: state, revision: try row.decode(column: "revision", as: Int.self),
            owner: try row.decode(column: "owner", as: String?.self), bucketID: bucket,
            document: try JSON(parsing: try row.decode(column: "document", as: String.self)),
            created: .micros(try row.decode(column: "created", as: Int64.self)),
            updated: .micros(try row.decode(column: "updated", as: Int64.self)),
            tombstone: try row.decode(column: "tombstone", as: String?.self).map { try JSON(parsing: $0) })
    }
}

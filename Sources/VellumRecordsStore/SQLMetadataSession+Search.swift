import Foundation
import SQLKit
import VellumRecords
import VellumStore

/// The search index's rows (`search_docs`, `search_keywords`, and `search_text` on SQLite or the tsvectors on
/// PostgreSQL), written by every write of a record row, in its transaction: a search sees a change as soon as the
/// request that made it has returned.
extension SQLMetadataSession {
    /// Puts a record in the index as it now stands, or takes it out (drafts, removed records).
    func index(_ record: Record) async throws {
        if record.status != .draft { try await enqueue("id = \(bind: record.id)") }
        try await unindex(record.id)
        guard let document = SearchDocument(record) else { return }
        let keywords = document.keywords.joined(separator: "\n")
        let texts: SQLQueryString
        switch dialect {
        case .sqlite:
            texts = ""
            try await db.raw(
                """
                INSERT INTO search_text (rowid, title, creators, description, keywords)
                VALUES (\(bind: document.id), \(bind: document.title), \(bind: document.creators), \(bind: document.description),
                        \(bind: keywords))
                """
            ).run()
        case .postgres:
            let (title, creators, description, folded) = (
                SearchDocument.words(document.title), SearchDocument.words(document.creators),
                SearchDocument.words(document.description), SearchDocument.words(keywords)
            )
            texts = """
                , setweight(to_tsvector('simple', \(bind: title)), 'A') || setweight(to_tsvector('simple', \(bind: creators)), 'B')
                    || setweight(to_tsvector('simple', \(bind: folded)), 'C') || setweight(to_tsvector('simple', \(bind: description)), 'D'),
                to_tsvector('simple', \(bind: title)), to_tsvector('simple', \(bind: creators)),
                to_tsvector('simple', \(bind: description)), to_tsvector('simple', \(bind: folded))
                """
        }
        let columns = dialect == .postgres ? ", tsv, tsv_title, tsv_creators, tsv_description, tsv_keywords" : ""
        try await db.raw(
            """
            INSERT INTO search_docs (id, concept_id, is_latest, owner, public_from, resource_type, license, publication_day,
                year, title, title_sort, description, created, updated\(unsafeRaw: columns))
            VALUES (\(bind: document.id), \(bind: document.conceptID), \(bind: document.isLatest), \(bind: document.owner),
                    \(bind: document.publicFrom?.micros), \(bind: document.resourceType), \(bind: document.license),
                    \(bind: document.publicationDay), \(bind: document.year), \(bind: document.title),
                    \(bind: SearchDocument.folded(document.title)), \(bind: document.description), \(bind: document.created.micros),
                    \(bind: document.updated.micros)\(texts))
            """
        ).run()
        for keyword in document.keywords {
            try await db.raw("INSERT INTO search_keywords (id, keyword) VALUES (\(bind: document.id), \(bind: keyword))").run()
        }
    }

    func unindex(_ id: Int64) async throws {
        try await db.raw("DELETE FROM search_docs WHERE id = \(bind: id)").run()
        try await db.raw("DELETE FROM search_keywords WHERE id = \(bind: id)").run()
        if dialect == .sqlite { try await db.raw("DELETE FROM search_text WHERE rowid = \(bind: id)").run() }
    }

    /// Puts the records that match `condition` (on `records`) in the outbox, or gives their rows a new change number.
    func enqueue(_ condition: SQLQueryString) async throws {
        try await db.raw(
            """
            INSERT INTO search_outbox (record_id, seq)
            SELECT id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM search_outbox) FROM records WHERE \(condition)
            ON CONFLICT (record_id) DO UPDATE SET seq = excluded.seq
            """
        ).run()
    }

    /// The concept's newest version, as `records` now says.
    func indexLatest(concept: Int64) async throws {
        try await enqueue("concept_id = \(bind: concept) AND status = 'published'")
        try await db.raw(
            """
            UPDATE search_docs SET is_latest = (SELECT r.is_latest FROM records r WHERE r.id = search_docs.id)
            WHERE concept_id = \(bind: concept)
            """
        ).run()
    }

    public func reindex(_ record: Record) async throws { try await index(record) }

    public func unindexRecord(_ id: Int64) async throws { try await unindex(id) }

    public func claimOutbox(limit: Int, until: Date, now: Date) async throws -> [(id: Int64, seq: Int64)] {
        try await db.raw(
            """
            UPDATE search_outbox SET claimed_until = \(bind: until.micros)
            WHERE record_id IN (SELECT record_id FROM search_outbox WHERE claimed_until < \(bind: now.micros) ORDER BY record_id
                LIMIT \(bind: limit)) AND claimed_until < \(bind: now.micros)
            RETURNING record_id, seq
            """
        ).all().map { (try $0.decode(column: "record_id", as: Int64.self), try $0.decode(column: "seq", as: Int64.self)) }
    }

    public func finishOutbox(_ rows: [(id: Int64, seq: Int64)]) async throws {
        for (id, seq) in rows {
            try await db.raw("DELETE FROM search_outbox WHERE record_id = \(bind: id) AND seq = \(bind: seq)").run()
        }
        guard !rows.isEmpty else { return }
        try await db.raw("UPDATE search_outbox SET claimed_until = 0 WHERE record_id IN (\(binds: rows.map(\.id)))").run()
    }

    public func enqueueChanged(since: Date) async throws {
        try await enqueue(
            "status <> 'draft' AND concept_id IN (SELECT concept_id FROM records WHERE updated >= \(bind: since.micros) AND status <> 'draft')")
    }

    public func clearOutbox() async throws -> Int {
        try await db.raw("DELETE FROM search_outbox RETURNING record_id").all().count
    }

    public func indexedRecords(after: Int64, limit: Int) async throws -> [IndexedRecord] {
        try await db.raw("SELECT id, is_latest, title FROM search_docs WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: limit)").all()
            .map {
                IndexedRecord(
                    id: try $0.decode(column: "id", as: Int64.self), isLatest: try $0.decode(column: "is_latest", as: Bool.self),
                    title: try $0.decode(column: "title", as: String.self))
            }
    }
}

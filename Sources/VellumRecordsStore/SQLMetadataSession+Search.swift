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

    /// The concept's newest version, as `records` now says.
    func indexLatest(concept: Int64) async throws {
        try await db.raw(
            """
            UPDATE search_docs SET is_latest = (SELECT r.is_latest FROM records r WHERE r.id = search_docs.id)
            WHERE concept_id = \(bind: concept)
            """
        ).run()
    }

    public func reindex(_ record: Record) async throws { try await index(record) }

    public func unindexRecord(_ id: Int64) async throws { try await unindex(id) }

    public func indexedRecords(after: Int64, limit: Int) async throws -> [IndexedRecord] {
        try await db.raw("SELECT id, is_latest, title FROM search_docs WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: limit)").all()
            .map {
                IndexedRecord(
                    id: try $0.decode(column: "id", as: Int64.self), isLatest: try $0.decode(column: "is_latest", as: Bool.self),
                    title: try $0.decode(column: "title", as: String.self))
            }
    }
}

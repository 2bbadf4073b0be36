import Foundation
import JSONSchema
import SearchQuery
import VellumCore

/// A page of a search: what the index found, the page's records in order, and what marks the query's words in them.
public struct SearchPage: Sendable {
    public var result: RecordSearchResult
    public var records: [Record]
    /// Each record's `pids` member.
    public var pids: [Int64: JSON]
    public var highlighter: SearchHighlighter
}

extension RecordsService {
    /// Published records the caller may see that match `search` (api.md §9), the page's records in order. The query
    /// text is read here: a syntax error is `invalid`, with its position.
    public func search(_ text: String, _ search: RecordSearch, by principal: Principal) async throws -> SearchPage {
        var search = search
        do {
            search.query = try QueryParser().parse(text)
        } catch {
            throw RecordsError(.invalid, error.description)
        }
        try Self.checkPage(search.page, size: search.size)
        search.owner = principal.tokenID
        search.isAdmin = principal.isAdmin
        let (result, hits, pids) = try await find(search, pids: true)
        return SearchPage(result: result, records: hits, pids: pids, highlighter: SearchHighlighter(search.query))
    }

    /// A page of search hits or drafts: `size` 1 to 100, `page` from 1 while page × size stays within the window.
    static func checkPage(_ page: Int, size: Int) throws {
        guard (1...100).contains(size) else { throw RecordsError(.invalid, "size must be from 1 to 100.") }
        guard page >= 1, page <= RecordSearch.window / size else {
            throw RecordsError(.invalid, "page × size must be at most \(RecordSearch.window).")
        }
    }

    /// What the index finds, with the hits' records (read in the transaction that searched the database's own index).
    func find(_ search: RecordSearch, pids: Bool) async throws -> (RecordSearchResult, [Record], [Int64: JSON]) {
        let external = try await searchIndex?.search(search)
        return try await store.read { session in
            var result: RecordSearchResult
            if let external { result = external } else { result = try await session.queries(SearchQueries.self).search(search) }
            let hits = try await session.queries(RecordQueries.self).records(result.ids)
            return (result, hits, pids ? try await Self.pidsJSON(of: hits, in: session) : [:])
        }
    }
}

extension RecordsService {
    /// Rebuilds the search index from the records, a batch of 500 per transaction (each record's row is replaced
    /// whole, so searches go on meanwhile; a killed run leaves a usable index and is run again): rows for every
    /// published record, none for the others. `progress` hears the records done so far. Returns how many records
    /// were read.
    @discardableResult
    public func reindexSearch(progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        if let index = searchIndex { return try await rebuild(index, progress: progress) }
        var after: Int64 = 0
        var done = 0
        while true {
            let from = after
            let batch = try await store.write { session -> [Record] in
                let records = try await session.queries(RecordQueries.self).records(since: Date(timeIntervalSince1970: 0), after: from, limit: 500)
                let index = try session.queries(SearchQueries.self)
                for record in records { try await index.reindex(record) }
                return records
            }
            guard let last = batch.last else { break }
            after = last.id
            done += batch.count
            progress(done)
        }
        // Rows whose record is gone (a draft deleted while an old index kept it).
        var stale: [Int64] = []
        after = 0
        while true {
            let from = after
            let rows = try await store.read { session in
                let rows = try await session.queries(SearchQueries.self).indexedRecords(after: from, limit: 1000)
                let records = try session.queries(RecordQueries.self)
                let present = Set(try await records.records(rows.map(\.id)).map(\.id))
                return (rows.last?.id, rows.map(\.id).filter { !present.contains($0) })
            }
            stale += rows.1
            guard let last = rows.0 else { break }
            after = last
        }
        if !stale.isEmpty {
            let ids = stale
            try await store.write { session in for id in ids { try await session.queries(SearchQueries.self).unindexRecord(id) } }
        }
        return done
    }

    /// An index outside the database rebuilt aside, then swapped in at once; what changed meanwhile is sent again.
    func rebuild(_ index: any SearchIndex, progress: @Sendable (Int) -> Void) async throws -> Int {
        let start = Date()
        let target = try await index.beginRebuild()
        var after: Int64 = 0
        var done = 0
        while true {
            let from = after
            let (batch, documents) = try await store.read { session in
                let records = try await session.queries(RecordQueries.self).records(since: Date(timeIntervalSince1970: 0), after: from, limit: 500)
                return (records, try await Self.searchDocuments(records, in: session))
            }
            guard let last = batch.last else { break }
            try await index.write(documents, removing: [], target: target, refresh: false)
            after = last.id
            done += batch.count
            progress(done)
        }
        try await index.finishRebuild(target)
        try await store.write { try await $0.queries(SearchQueries.self).enqueueChanged(since: start.addingTimeInterval(-1)) }
        try await drainSearchOutbox(refresh: true)
        return done
    }

    /// Where the index and the records differ: a published record without its row or with a stale one (newest
    /// version, title), a row without a published record. Empty when they agree.
    public func verifySearch() async throws -> [String] {
        var problems: [String] = []
        var expected: [Int64: IndexedRecord] = [:]
        var after: Int64 = 0
        while true {
            let from = after
            let records = try await store.read {
                try await $0.queries(RecordQueries.self).records(since: Date(timeIntervalSince1970: 0), after: from, limit: 1000)
            }
            guard let last = records.last else { break }
            for record in records {
                if let document = SearchDocument(record) {
                    expected[record.id] = IndexedRecord(id: record.id, isLatest: document.isLatest, title: document.title)
                }
            }
            after = last.id
        }
        after = 0
        while true {
            let from = after
            let rows = try await indexedRecords(after: from, limit: 1000)
            guard let last = rows.last else { break }
            for row in rows {
                if let wanted = expected.removeValue(forKey: row.id) {
                    if wanted != row { problems.append("record \(row.id): the index has an old copy") }
                } else {
                    problems.append("record \(row.id): in the index, but not a published record")
                }
            }
            after = last.id
        }
        problems += expected.keys.sorted().map { "record \($0): published, but not in the index" }
        return problems
    }

    /// At the daemon's start: a database from before search (records, no index rows) is indexed at once.
    public func ensureSearchIndex() async throws {
        try await searchIndex?.prepare()
        let empty = try await indexedRecords(after: 0, limit: 1).isEmpty
        let published = try await store.read { session in
            try await session.queries(RecordQueries.self).records(since: Date(timeIntervalSince1970: 0), after: 0, limit: 1).isEmpty == false
        }
        if empty && published { try await reindexSearch() }
        // What the outbox holds (changes a killed daemon did not send) goes to an index outside the database.
        if searchIndex != nil { try await drainSearchOutbox(refresh: false) }
    }

    /// What the index searched holds, by record id.
    func indexedRecords(after: Int64, limit: Int) async throws -> [IndexedRecord] {
        if let index = searchIndex { return try await index.indexed(after: after, limit: limit) }
        return try await store.read { try await $0.queries(SearchQueries.self).indexedRecords(after: after, limit: limit) }
    }
}

extension RecordsService {
    /// The caller's own drafts, the last changed first (`GET /records?status=draft`): a page of `size` (1 to 100).
    public func drafts(page: Int, size: Int, by principal: Principal) async throws -> (total: Int, records: [Record], pids: [Int64: JSON]) {
        guard let owner = principal.tokenID else { throw FilesError.unauthenticated }
        try Self.checkPage(page, size: size)
        return try await store.read { session in
            let (total, records) = try await session.queries(RecordQueries.self).drafts(owner: owner, offset: (page - 1) * size, limit: size)
            return (total, records, try await Self.pidsJSON(of: records, in: session))
        }
    }

    /// Up to 10 visible records whose title has words starting as `text`'s do (the last word a prefix), best first:
    /// completion for a search box (`GET /records/_suggest`).
    public func suggest(_ text: String, by principal: Principal) async throws -> [Record] {
        let words = SearchHighlighter.tokens(String(text.prefix(200))).prefix(8).map(String.init)
        guard let last = words.last else { return [] }
        let query = Query.and(words.dropLast().map { .text(field: "title", .word($0)) } + [.text(field: "title", .prefix(last))])
        let search = RecordSearch(query: query, sort: .bestmatch, size: 10, owner: principal.tokenID, isAdmin: principal.isAdmin)
        return try await find(search, pids: false).1
    }
}

import Foundation
import SQLKit
import SearchQuery
import VellumRecords
import VellumStore

/// OAI-PMH's rows (`oai_items`), written by every write of a record row, in its transaction, before the search
/// index's row changes (a removed record's named sets are read from it).
extension SQLMetadataSession {
    /// Makes the record's item say what harvesters may now see of it.
    func trackOAI(_ record: Record) async throws {
        guard record.status != .draft else { return }
        if record.status == .published, let document = SearchDocument(record), let publicFrom = document.publicFrom {
            try await db.raw(
                """
                INSERT INTO oai_items (record_id, datestamp, public_from, deleted, resource_type, sets)
                VALUES (\(bind: record.id), \(bind: max(record.updated, publicFrom).micros), \(bind: publicFrom.micros), \(bind: false),
                        \(bind: document.resourceType), '')
                ON CONFLICT (record_id) DO UPDATE SET datestamp = excluded.datestamp, public_from = excluded.public_from,
                    deleted = excluded.deleted, resource_type = excluded.resource_type, sets = excluded.sets
                """
            ).run()
            return
        }
        // Removed, or no longer public: a deleted header if harvesters could have seen it, else nothing.
        let sets = try await namedSets(containing: [record.id], try await oaiSets().compactMap(Self.parsed))[record.id] ?? []
        try await db.raw(
            """
            UPDATE oai_items SET deleted = \(bind: true), datestamp = \(bind: record.updated.micros), sets = \(bind: Self.joined(sets))
            WHERE record_id = \(bind: record.id) AND deleted = \(bind: false) AND public_from <= \(bind: record.updated.micros)
            """
        ).run()
        try await db.raw("DELETE FROM oai_items WHERE record_id = \(bind: record.id) AND deleted = \(bind: false)").run()
    }

    /// Each record's named sets among `named`, by the search index's rows.
    func namedSets(containing ids: [Int64], _ named: [(spec: String, query: Query)]) async throws -> [Int64: [String]] {
        var sets: [Int64: [String]] = [:]
        guard !ids.isEmpty else { return sets }
        for (spec, query) in named {
            let rows = try await db.raw("SELECT d.id FROM search_docs d WHERE d.id IN (\(binds: ids)) AND \(compile(query))").all()
            for row in rows { sets[try row.decode(column: "id", as: Int64.self), default: []].append(spec) }
        }
        return sets
    }

    static func parsed(_ set: OAISet) -> (spec: String, query: Query)? {
        (try? QueryParser().parse(set.query)).map { (set.spec, $0) }
    }

    /// A deleted item's sets, each on a line of its own (so that `\nspec\n` finds one).
    static func joined(_ sets: [String]) -> String { sets.isEmpty ? "" : "\n" + sets.joined(separator: "\n") + "\n" }

    /// The listing's conditions on `oai_items o`, but its start.
    func oaiConditions(_ listing: OAIListing) -> SQLQueryString {
        var sql: SQLQueryString = "o.public_from <= \(bind: listing.now.micros)"
        if let from = listing.from { sql = sql + " AND o.datestamp >= \(bind: from.micros)" }
        if let until = listing.until { sql = sql + " AND o.datestamp < \(bind: until.micros)" }
        switch listing.set {
        case nil: break
        case .resourceType(nil): sql = sql + " AND o.resource_type IS NOT NULL"
        case .resourceType(let type?): sql = sql + " AND o.resource_type = \(bind: type)"
        case .named(let spec, let query):
            let contains =
                dialect == .postgres ? "strpos(o.sets, \(bind: "\n\(spec)\n")) > 0" : "instr(o.sets, \(bind: "\n\(spec)\n")) > 0" as SQLQueryString
            sql =
                sql + " AND ((o.deleted = \(bind: false) AND EXISTS (SELECT 1 FROM search_docs d WHERE d.id = o.record_id AND "
                + compile(query) + ")) OR (o.deleted = \(bind: true) AND " + contains + "))"
        }
        return sql
    }
}

extension SQLMetadataSession: OAIQueries {
    public func oaiItems(_ listing: OAIListing, named: [(spec: String, query: Query)]) async throws -> [OAIItem] {
        let rows = try await db.raw(
            """
            SELECT o.record_id, o.datestamp, o.deleted, o.resource_type, o.sets FROM oai_items o
            WHERE o.record_id > \(bind: listing.after) AND \(oaiConditions(listing)) ORDER BY o.record_id LIMIT \(bind: listing.limit)
            """
        ).all()
        var items = try rows.map { row in
            OAIItem(
                id: try row.decode(column: "record_id", as: Int64.self), datestamp: .micros(try row.decode(column: "datestamp", as: Int64.self)),
                deleted: try row.decode(column: "deleted", as: Bool.self), resourceType: try row.decode(column: "resource_type", as: String?.self),
                sets: try row.decode(column: "sets", as: String.self).split(separator: "\n").map(String.init))
        }
        let live = try await namedSets(containing: items.filter { !$0.deleted }.map(\.id), named)
        for n in items.indices where !items[n].deleted { items[n].sets = live[items[n].id] ?? [] }
        return items
    }

    public func oaiCount(_ listing: OAIListing) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM oai_items o WHERE o.record_id > \(bind: listing.after) AND \(oaiConditions(listing))")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func oaiEarliest(now: Date) async throws -> Date? {
        try await db.raw("SELECT MIN(datestamp) AS earliest FROM oai_items WHERE public_from <= \(bind: now.micros)").first()?
            .decode(column: "earliest", as: Int64?.self).map(Date.micros)
    }

    public func oaiResourceTypes(now: Date) async throws -> [String] {
        try await db.raw(
            """
            SELECT DISTINCT resource_type FROM oai_items WHERE public_from <= \(bind: now.micros) AND resource_type IS NOT NULL
            ORDER BY resource_type
            """
        ).all().map { try $0.decode(column: "resource_type", as: String.self) }
    }

    public func oaiSets() async throws -> [OAISet] {
        try await db.raw("SELECT spec, name, query FROM oai_sets ORDER BY spec").all().map {
            OAISet(
                spec: try $0.decode(column: "spec", as: String.self), name: try $0.decode(column: "name", as: String.self),
                query: try $0.decode(column: "query", as: String.self))
        }
    }

    public func insertOAISet(_ set: OAISet) async throws -> Bool {
        try await !db.raw(
            """
            INSERT INTO oai_sets (spec, name, query) VALUES (\(bind: set.spec), \(bind: set.name), \(bind: set.query))
            ON CONFLICT (spec) DO NOTHING RETURNING spec
            """
        ).all().isEmpty
    }

    public func deleteOAISet(_ spec: String) async throws -> Bool {
        try await !db.raw("DELETE FROM oai_sets WHERE spec = \(bind: spec) RETURNING spec").all().isEmpty
    }

    public func oaiKey() async throws -> [UInt8]? {
        guard let hex = try await db.raw("SELECT key FROM oai_keys WHERE name = 'resumption'").first()?.decode(column: "key", as: String.self)
        else { return nil }
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }

    public func insertOAIKey(_ key: [UInt8]) async throws {
        let hex = key.map { String(format: "%02x", $0) }.joined()
        try await db.raw("INSERT INTO oai_keys (name, key) VALUES ('resumption', \(bind: hex)) ON CONFLICT (name) DO NOTHING").run()
    }
}

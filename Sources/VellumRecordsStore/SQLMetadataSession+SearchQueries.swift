import Foundation
import SQLKit
import SearchQuery
import VellumRecords
import VellumStore

/// Searches over the index's rows: the query tree compiled to SQL — text leaves to FTS5 `MATCH` on SQLite and to
/// `tsquery` on PostgreSQL, the rest to comparisons on `search_docs` — with the caller's visibility, the facets'
/// filters, one count per facet that leaves out its own filter, a sort and a page.
extension SQLMetadataSession: SearchQueries {
    public func search(_ search: RecordSearch) async throws -> RecordSearchResult {
        let query = compile(search.query)
        var base: SQLQueryString = "(\(query))"
        if !search.isAdmin {
            base =
                base + " AND ((d.public_from IS NOT NULL AND d.public_from <= \(bind: search.now.micros))"
                + (search.owner.map { " OR d.owner = \(bind: $0))" } ?? ")")
        }
        if !search.allVersions { base = base + " AND d.is_latest = \(bind: true)" }
        /// The facets' choices but `left`'s, each as ` AND …`.
        func choices(except left: RecordSearch.Facet?) -> SQLQueryString {
            var sql: SQLQueryString = ""
            for (facet, values) in search.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where facet != left && !values.isEmpty {
                sql = sql + " AND " + filter(facet, values, now: search.now)
            }
            return sql
        }
        let everything = base + choices(except: nil)
        let (total, facets) = try await counts(base, choices, now: search.now)

        var from: SQLQueryString = "search_docs d"
        let ranking = search.isRanked ? rank(search.query) : nil
        if let ranking { from = from + ranking.join }
        let keys = search.sortKeys.map { (expression: sortExpression($0.field), descending: $0.descending, kind: $0.kind) }
        var page = everything
        if let after = try search.checkedAfter() {
            var alternatives: [SQLQueryString] = []
            for k in keys.indices {
                var parts: [SQLQueryString] = (0..<k).map { "\(unsafeRaw: keys[$0].expression) = " + Self.bind(after[$0]) }
                parts.append("\(unsafeRaw: keys[k].expression) \(unsafeRaw: keys[k].descending ? "<" : ">") " + Self.bind(after[k]))
                alternatives.append("(" + parts.joined(separator: " AND ") + ")")
            }
            page = page + " AND (" + alternatives.joined(separator: " OR ") + ")"
        }
        let selected = keys.indices.map { "\(keys[$0].expression) AS k\($0)" }.joined(separator: ", ")
        let order = keys.map { "\($0.expression) \($0.descending ? "DESC" : "ASC")" }.joined(separator: ", ")
        let offset = search.after == nil ? (search.page - 1) * search.size : 0
        let fetched = try await db.raw(
            """
            \(ranking?.with ?? "")SELECT d.id AS id, \(unsafeRaw: selected) FROM \(from) WHERE \(page) ORDER BY \(unsafeRaw: order)
            LIMIT \(bind: search.size + 1) OFFSET \(bind: offset)
            """
        ).all()
        let more = fetched.count > search.size
        let rows = fetched.prefix(search.size)
        let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        let lastKey = try rows.last.map { row in
            try keys.indices.map { n -> SearchKey in
                switch keys[n].kind {
                case .integer: .integer(try row.decode(column: "k\(n)", as: Int64.self))
                case .real: .real(try row.decode(column: "k\(n)", as: Double.self))
                case .text: .text(try row.decode(column: "k\(n)", as: String.self))
                }
            }
        }

        return RecordSearchResult(total: total, ids: ids, lastKey: lastKey, more: more, facets: facets)
    }

    /// The total and every facet's counts in one statement: the records the query lets through (`base`) are found
    /// once, then counted with every facet's choices (the total) and with all but its own (each facet's buckets).
    func counts(_ base: SQLQueryString, _ choices: (RecordSearch.Facet?) -> SQLQueryString, now: Date) async throws -> (
        Int, [RecordSearch.Facet: [(key: String, count: Int)]]
    ) {
        var sql: SQLQueryString = """
            WITH m AS MATERIALIZED (SELECT d.id, d.resource_type, d.license, d.year, d.public_from FROM search_docs d WHERE \(base))
            SELECT '' AS f, '' AS k, COUNT(*) AS n FROM m d WHERE 1 = 1\(choices(nil))
            """
        for facet in RecordSearch.Facet.allCases {
            let key: SQLQueryString
            var join: SQLQueryString = ""
            switch facet {
            case .resourceType: key = "d.resource_type"
            case .license: key = "d.license"
            case .year: key = "CAST(d.year AS TEXT)"
            case .access: key = "CASE WHEN \(publicNow(now)) THEN 'public' ELSE 'restricted' END"
            case .keywords:
                key = "k.keyword"
                join = " JOIN search_keywords k ON k.id = d.id"
            }
            sql =
                sql
                    + """

                    UNION ALL SELECT * FROM (SELECT '\(unsafeRaw: facet.rawValue)' AS f, \(key) AS k, COUNT(*) AS n FROM m d\(join)
                        WHERE \(key) IS NOT NULL\(choices(facet)) GROUP BY 2 ORDER BY 3 DESC, 2 ASC LIMIT \(bind: RecordSearch.facetBuckets)) c
                    """
        }
        var total = 0
        var facets: [RecordSearch.Facet: [(key: String, count: Int)]] = [:]
        for row in try await db.raw(sql).all() {
            let (name, key, count) = (
                try row.decode(column: "f", as: String.self), try row.decode(column: "k", as: String.self), try row.decode(column: "n", as: Int.self)
            )
            if let facet = RecordSearch.Facet(rawValue: name) { facets[facet, default: []].append((key, count)) } else { total = count }
        }
        for facet in RecordSearch.Facet.allCases { facets[facet] = (facets[facet] ?? []).sorted { ($1.count, $0.key) < ($0.count, $1.key) } }
        return (total, facets)
    }

    /// A sort key's column. Texts compare by code point on both databases (PostgreSQL's default collation is the
    /// locale's).
    func sortExpression(_ field: RecordSearch.SortKey.Field) -> String {
        let binary = dialect == .postgres ? " COLLATE \"C\"" : ""
        switch field {
        // FTS5's bm25 is lower for better matches (so negated); ts_rank_cd higher. A hit the text did not score: 0.
        case .score: return dialect == .sqlite ? "-COALESCE(s.score, 0.0)" : "CAST(COALESCE(s.score, 0) AS DOUBLE PRECISION)"
        case .created: return "d.created"
        case .updated: return "d.updated"
        case .id: return "d.id"
        case .title: return "d.title_sort" + binary
        case .publicationAscending: return "COALESCE(d.publication_day, '99999')" + binary
        case .publicationDescending: return "COALESCE(d.publication_day, '')" + binary
        }
    }

    static func bind(_ key: SearchKey) -> SQLQueryString {
        switch key {
        case .integer(let n): "\(bind: n)"
        case .real(let x): "\(bind: x)"
        case .text(let t): "\(bind: t)"
        }
    }

    func publicNow(_ now: Date) -> SQLQueryString {
        "(d.public_from IS NOT NULL AND d.public_from <= \(bind: now.micros))"
    }

    /// A facet's chosen values, ORed.
    func filter(_ facet: RecordSearch.Facet, _ values: [String], now: Date) -> SQLQueryString {
        func anyOf(_ column: String, _ values: [String]) -> SQLQueryString {
            "\(unsafeRaw: column) IN (" + values.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ") + ")"
        }
        switch facet {
        case .resourceType: return anyOf("d.resource_type", values)
        case .license: return anyOf("d.license", values.map { $0.lowercased() })
        case .year:
            let years = values.compactMap { Int($0) }
            return years.isEmpty ? "1 = 0" : "d.year IN (" + years.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ") + ")"
        case .keywords:
            return "d.id IN (SELECT id FROM search_keywords WHERE " + anyOf("keyword", values) + ")"
        case .access:
            let choices = Set(values)
            if choices.contains("public") && choices.contains("restricted") { return "1 = 1" }
            if choices.contains("public") { return publicNow(now) }
            if choices.contains("restricted") { return "NOT " + publicNow(now) }
            return "1 = 0"
        }
    }

    /// The query tree as a condition on `search_docs d`.
    func compile(_ query: Query) -> SQLQueryString {
        switch query {
        case .all: return "1 = 1"
        case .and(let parts): return "(" + parts.map(compile).joined(separator: " AND ") + ")"
        case .or(let parts): return "(" + parts.map(compile).joined(separator: " OR ") + ")"
        case .not(let inner): return "NOT (" + compile(inner) + ")"
        case .text(let field, let text):
            let matched = textCondition(field: field, text)
            // A pasted DOI finds the record that has it, as well as the records that mention it.
            if field == nil, case .phrase(let value) = text, Self.looksLikeDOI(value) {
                return "(" + matched + " OR " + doiCondition(value) + ")"
            }
            return matched
        case .exact(let field, let value):
            switch field {
            case "resource_type": return "d.resource_type = \(bind: value)"
            case "license": return "d.license = \(bind: value.lowercased())"
            case "id": return Int64(value).map { "d.id = \(bind: $0)" } ?? "1 = 0"
            case "doi": return doiCondition(value)
            default: return pathCondition(field, value)
            }
        case .dates(_, let range):
            var sql: SQLQueryString = "d.publication_day IS NOT NULL"
            if let from = range.from { sql = sql + " AND d.publication_day >= \(bind: from)" }
            if let until = range.until { sql = sql + " AND d.publication_day < \(bind: until)" }
            return "(" + sql + ")"
        }
    }

    static func looksLikeDOI(_ text: String) -> Bool { text.hasPrefix("10.") && text.contains("/") }

    /// The record's DOI, or its concept's, is `value` (DOIs compare without case).
    func doiCondition(_ value: String) -> SQLQueryString {
        """
        EXISTS (SELECT 1 FROM pids p WHERE p.scheme = 'doi' AND p.value = \(bind: value.lowercased())
            AND ((p.object_type = 'record' AND p.object_id = d.id) OR (p.object_type = 'concept' AND p.object_id = d.concept_id)))
        """
    }

    /// `metadata.a.b:value`: the value at that path of the record's document is `value`, or an array there holds it.
    func pathCondition(_ field: String, _ value: String) -> SQLQueryString {
        let keys = field.split(separator: ".").map(String.init)
        switch dialect {
        case .sqlite:
            let path = "$" + keys.map { ".\"\($0)\"" }.joined()
            return """
                EXISTS (SELECT 1 FROM records r, json_each(r.document, \(bind: path)) j
                    WHERE r.id = d.id AND j.type NOT IN ('object', 'array') AND CAST(j.value AS TEXT) = \(bind: value))
                """
        case .postgres:
            let path = "{" + keys.map { "\"\($0)\"" }.joined(separator: ",") + "}"
            return """
                EXISTS (SELECT 1 FROM records r WHERE r.id = d.id AND (r.document::jsonb #>> \(bind: path)::text[] = \(bind: value)
                    OR r.document::jsonb #> \(bind: path)::text[] @> jsonb_build_array(\(bind: value)::text)))
                """
        }
    }

    /// A text leaf: FTS5 on SQLite, a tsquery on PostgreSQL.
    func textCondition(field: String?, _ text: Text) -> SQLQueryString {
        switch dialect {
        case .sqlite:
            return "d.id IN (SELECT rowid FROM search_text WHERE search_text MATCH \(bind: SearchFTS5.match(field: field, text)))"
        case .postgres:
            let column = field.map { "d.tsv_\($0)" } ?? "d.tsv"
            return "\(unsafeRaw: column) @@ " + tsquery(text)
        }
    }

    /// A text leaf as a tsquery over the words Vellum split and folded (as the index's texts are): words and phrases
    /// through `phraseto_tsquery`, a prefix as its words followed in order, the last one a prefix.
    func tsquery(_ text: Text) -> SQLQueryString {
        switch text {
        case .word(let value), .phrase(let value):
            return "phraseto_tsquery('simple', \(bind: SearchDocument.words(value)))"
        case .prefix(let stem):
            let words = SearchDocument.folded(stem).split { !$0.isLetter && !$0.isNumber }.map {
                "'" + $0.replacingOccurrences(of: "'", with: "''") + "'"
            }
            guard !words.isEmpty else { return "phraseto_tsquery('simple', '')" }
            return "to_tsquery('simple', \(bind: words.joined(separator: " <-> ") + ":*"))"
        }
    }

    /// The join that scores `bestmatch` (`s.score`): FTS5's bm25, title weighted most, or PostgreSQL's
    /// `ts_rank_cd`, over the query's text leaves that are not negated; nil when it has none. On SQLite the scores
    /// are computed once, in a materialized `WITH` (SQLite 3.54 otherwise ran the full-text match again for every
    /// candidate row: 320 ms instead of 15 for a word in 953 of 100,000 records).
    func rank(_ query: Query) -> (with: SQLQueryString, join: SQLQueryString)? {
        let leaves = query.scoredTexts
        guard !leaves.isEmpty else { return nil }
        switch dialect {
        case .sqlite:
            let match = leaves.map { "(" + SearchFTS5.match(field: $0.0, $0.1) + ")" }.joined(separator: " OR ")
            let with: SQLQueryString = """
                WITH s AS MATERIALIZED (SELECT rowid AS id, bm25(search_text, 10.0, 3.0, 1.0, 3.0) AS score FROM search_text
                    WHERE search_text MATCH \(bind: match))

                """
            return (with, " LEFT JOIN s ON s.id = d.id")
        case .postgres:
            let combined = leaves.map { tsquery($0.1) }.joined(separator: " || ")
            return ("", " LEFT JOIN LATERAL (SELECT ts_rank_cd(d.tsv, " + combined + ") AS score) s ON TRUE")
        }
    }
}

extension [SQLQueryString] {
    func joined(separator: SQLQueryString) -> SQLQueryString {
        guard var result = first else { return "" }
        for part in dropFirst() { result = result + separator + part }
        return result
    }
}

import Foundation
import JSONSchema
import SearchQuery
import VellumRecords

/// A search (api.md §9) as OpenSearch's query DSL, over the documents `OpenSearchIndex` writes: the texts as the
/// words Vellum split and folded (so that a query means what it means on the databases), the query tree as `bool`
/// queries, the caller's visibility and the latest versions as filters, the facets' choices as a `post_filter`
/// (hits and total) and as each other facet's aggregation filter, the sort's keys with the record id last.
enum OpenSearchQuery {
    /// The text fields and their weights in `bestmatch` (those of the databases' rankings).
    static let textFields = ["title": 10.0, "creators": 3.0, "description": 1.0, "keywords_text": 3.0]

    static func body(_ search: RecordSearch) throws -> JSON {
        var filters: [JSON] = []
        if !search.isAdmin {
            var visible: [JSON] = [publicNow(search.now)]
            if let owner = search.owner { visible.append(term("owner", .string(owner))) }
            filters.append(bool(should: visible))
        }
        if !search.allVersions { filters.append(term("is_latest", .bool(true))) }
        let main = JSON.object(["bool": .object(["must": .array([compile(search.query)]), "filter": .array(filters)])])
        var aggregations: [String: JSON] = [:]
        for facet in RecordSearch.Facet.allCases {
            let others = facetFilters(search, except: facet)
            let inner: JSON =
                facet == .access
                ? .object(["filters": .object(["filters": .object(["public": publicNow(search.now), "restricted": not(publicNow(search.now))])])])
                : .object([
                    "terms": .object([
                        "field": .string(facetField(facet)), "size": .number(Double(RecordSearch.facetBuckets)),
                        "order": .array([.object(["_count": .string("desc")]), .object(["_key": .string("asc")])]),
                    ])
                ])
            aggregations[facet.rawValue] = .object(["filter": bool(must: others), "aggs": .object(["buckets": inner])])
        }
        let keys = search.sortKeys
        var body: [String: JSON] = [
            "query": main, "post_filter": bool(must: facetFilters(search, except: nil)), "aggs": .object(aggregations),
            "sort": .array(keys.map { .object([field($0.field): .object(["order": .string($0.descending ? "desc" : "asc")])]) }),
            "track_total_hits": .bool(true), "_source": .bool(false),
        ]
        if let after = try search.checkedAfter() {
            body["search_after"] = .array(after.map(json))
            body["size"] = .number(Double(search.size + 1))
        } else {
            body["from"] = .number(Double((search.page - 1) * search.size))
            body["size"] = .number(Double(search.size))
        }
        return .object(body)
    }

    /// A sort key's field in the index.
    static func field(_ field: RecordSearch.SortKey.Field) -> String {
        switch field {
        case .score: "_score"
        case .created: "created"
        case .updated: "updated"
        case .id: "id"
        case .title: "title_sort"
        case .publicationAscending: "publication_ascending"
        case .publicationDescending: "publication_descending"
        }
    }

    static func json(_ key: SearchKey) -> JSON {
        switch key {
        case .integer(let n): .string(String(n))
        case .real(let x): .number(x)
        case .text(let t): .string(t)
        }
    }

    /// A hit's `sort` values as the cursor's keys.
    static func key(_ values: [JSON], _ keys: [RecordSearch.SortKey]) -> [SearchKey]? {
        guard values.count == keys.count else { return nil }
        var result: [SearchKey] = []
        for (value, key) in zip(values, keys) {
            switch (key.kind, value) {
            case (.integer, .number(let x)): result.append(.integer(Int64(x)))
            case (.integer, .string(let s)):
                guard let n = Int64(s) else { return nil }
                result.append(.integer(n))
            case (.real, .number(let x)): result.append(.real(x))
            case (.text, .string(let s)): result.append(.text(s))
            default: return nil
            }
        }
        return result
    }

    static func facetField(_ facet: RecordSearch.Facet) -> String {
        switch facet {
        case .resourceType: "resource_type"
        case .keywords: "keywords"
        case .license: "license"
        case .year: "year"
        case .access: "public_from"
        }
    }

    /// The facets' choices but `left`'s, each ORing its values.
    static func facetFilters(_ search: RecordSearch, except left: RecordSearch.Facet?) -> [JSON] {
        search.filters.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { facet, values in
            guard facet != left, !values.isEmpty else { return nil }
            switch facet {
            case .resourceType, .keywords: return terms(facetField(facet), values)
            case .license: return terms("license", values.map { $0.lowercased() })
            case .year:
                let years = values.compactMap { Int($0) }.map(String.init)
                return years.isEmpty ? none : terms("year", years)
            case .access:
                let choices = Set(values)
                if choices.contains("public") && choices.contains("restricted") { return nil }
                if choices.contains("public") { return publicNow(search.now) }
                if choices.contains("restricted") { return not(publicNow(search.now)) }
                return none
            }
        }
    }

    /// The query tree as a query.
    static func compile(_ query: Query) -> JSON {
        switch query {
        case .all: return .object(["match_all": .object([:])])
        case .and(let parts): return bool(must: parts.map(compile))
        case .or(let parts): return bool(should: parts.map(compile))
        case .not(let inner): return not(compile(inner))
        case .text(let field, let text):
            let matched = textQuery(field: field, text)
            // A pasted DOI finds the record that has it, as well as the records that mention it.
            if field == nil, case .phrase(let value) = text, value.hasPrefix("10."), value.contains("/") {
                return bool(should: [matched, term("dois", .string(value.lowercased()))])
            }
            return matched
        case .exact(let field, let value):
            switch field {
            case "resource_type": return term("resource_type", .string(value))
            case "license": return term("license", .string(value.lowercased()))
            case "id": return Int64(value).map { term("id", .string(String($0))) } ?? none
            case "doi": return term("dois", .string(value.lowercased()))
            default: return term("values", .string(field + "\u{1F}" + value))
            }
        case .dates(_, let range):
            var bounds: [String: JSON] = [:]
            if let from = range.from { bounds["gte"] = .string(from) }
            if let until = range.until { bounds["lt"] = .string(until) }
            return bounds.isEmpty
                ? .object(["exists": .object(["field": .string("publication_day")])])
                : .object(["range": .object(["publication_day": .object(bounds)])])
        }
    }

    /// A text leaf: its words as a phrase (one word is a phrase of one), in one field or in all of them with their
    /// weights; a prefix's last word as a prefix.
    static func textQuery(field: String?, _ text: Text) -> JSON {
        let fields = field.map { [$0 == "keywords" ? "keywords_text" : $0] } ?? textFields.keys.sorted()
        func weighted(_ name: String) -> Double { field == nil ? textFields[name] ?? 1 : 1 }
        switch text {
        case .word(let value), .phrase(let value):
            let words = SearchDocument.words(value)
            guard !words.isEmpty else { return none }
            return bool(
                should: fields.map { .object(["match_phrase": .object([$0: .object(["query": .string(words), "boost": .number(weighted($0))])])]) })
        case .prefix(let stem):
            let words = SearchDocument.words(stem).split(separator: " ").map(String.init)
            guard let last = words.last else { return none }
            if words.count == 1 {
                return bool(
                    should: fields.map { .object(["prefix": .object([$0: .object(["value": .string(last), "boost": .number(weighted($0))])])]) })
            }
            return bool(
                should: fields.map {
                    .object([
                        "match_phrase_prefix": .object([
                            $0: .object([
                                "query": .string(words.joined(separator: " ")), "max_expansions": .number(1000), "boost": .number(weighted($0)),
                            ])
                        ])
                    ])
                })
        }
    }

    static func publicNow(_ now: Date) -> JSON {
        .object(["range": .object(["public_from": .object(["lte": .string(String(OpenSearchIndex.micros(now)))])])])
    }

    static let none = JSON.object(["bool": .object(["must_not": .array([.object(["match_all": .object([:])])])])])

    static func term(_ field: String, _ value: JSON) -> JSON { .object(["term": .object([field: value])]) }
    static func terms(_ field: String, _ values: [String]) -> JSON { .object(["terms": .object([field: .array(values.map(JSON.string))])]) }
    static func not(_ query: JSON) -> JSON { .object(["bool": .object(["must_not": .array([query])])]) }
    static func bool(must: [JSON]) -> JSON { .object(["bool": .object(["must": .array(must)])]) }
    static func bool(should: [JSON]) -> JSON { .object(["bool": .object(["should": .array(should), "minimum_should_match": .number(1)])]) }
}

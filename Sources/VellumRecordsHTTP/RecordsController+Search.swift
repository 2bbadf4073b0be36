import Foundation
import Hummingbird
import JSONSchema
import SearchQuery
import VellumHTTPSupport
import VellumRecords

extension RecordsController {
    /// `GET /records?q=&sort=&page=&size=&{facet}=…&allversions=true` (api.md §9).
    func search(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let parameters = try Self.formParameters(request.uri.query)
        func one(_ name: String) -> String? { parameters.last { $0.0 == name }?.1 }
        func number(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = one(name) else { return fallback }
            guard let value = Int(text) else { throw RecordsError(.invalid, "\(name) must be a whole number.") }
            return value
        }
        let text = one("q") ?? ""
        func link(_ name: String, _ value: String) -> JSON {
            var items = parameters.filter { $0.0 != "page" && $0.0 != "cursor" }
            items.append((name, value))
            return .string("\(publicURL)/records?" + items.map { Self.formEncoded($0.0) + "=" + Self.formEncoded($0.1) }.joined(separator: "&"))
        }
        switch one("status") {
        case nil, "published": break
        case "draft":
            // The caller's own drafts, the last changed first: not searched (drafts are not indexed), paged.
            guard text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw RecordsError(.invalid, "status=draft lists your drafts: it takes no q.")
            }
            let (page, size) = (try number("page", 1), try number("size", 10))
            let found = try await service.drafts(page: page, size: size, by: context.principal)
            var links: [String: JSON] = ["self": link("page", String(page))]
            if page > 1 { links["prev"] = link("page", String(page - 1)) }
            if page * size < found.total, (page + 1) * size <= RecordSearch.window { links["next"] = link("page", String(page + 1)) }
            let hits = found.records.map { json($0, files: nil, pids: found.pids[$0.id] ?? .object([:])) }
            let body = JSON.object([
                "hits": .object(["total": .number(Double(found.total)), "hits": .array(hits)]), "aggregations": .object([:]),
                "sortBy": .string("updated"), "links": .object(links),
            ])
            return Self.json(body, status: .ok, headers: [:])
        default: throw RecordsError(.invalid, "status must be draft or published.")
        }
        let cursor = try one("cursor").map { encoded in
            guard let cursor = SearchCursor(encoded: encoded) else {
                throw RecordsError(.invalid, "The cursor is not one this server gave: start again from the first page.")
            }
            return cursor
        }
        let sort: RecordSearch.Sort
        if let cursor {
            guard one("sort").map({ $0 == cursor.sort.rawValue }) ?? true else {
                throw RecordsError(.invalid, "The cursor belongs to another sort: start again from the first page.")
            }
            sort = cursor.sort
        } else if let name = one("sort") {
            guard let chosen = RecordSearch.Sort(rawValue: name) else {
                throw RecordsError(.invalid, "sort must be one of \(RecordSearch.Sort.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            sort = chosen
        } else {
            sort = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? .newest : .bestmatch
        }
        var filters: [RecordSearch.Facet: [String]] = [:]
        for facet in RecordSearch.Facet.allCases {
            let values = parameters.filter { $0.0 == facet.rawValue }.map(\.1)
            if !values.isEmpty { filters[facet] = values }
        }
        let allVersions = one("allversions").map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false
        let page = try number("page", 1)
        let size = try number("size", 10)
        var request = RecordSearch(query: .all, filters: filters, sort: sort, page: page, size: size, allVersions: allVersions)
        request.after = cursor?.key
        let found = try await service.search(text, request, by: context.principal)
        let result = found.result
        var hits: [JSON] = []
        for record in found.records {
            var hit = json(record, files: nil, pids: found.pids[record.id] ?? .object([:]))
            if !found.highlighter.isEmpty, case .object(var members) = hit {
                let metadata = record.document["metadata"]
                var marks: [String: JSON] = [:]
                if let title = metadata?["title"]?.stringValue, let marked = found.highlighter.highlight(title) { marks["title"] = .string(marked) }
                if let text = metadata?["description"]?.stringValue, let marked = found.highlighter.snippet(text) {
                    marks["description"] = .string(marked)
                }
                members["highlight"] = .object(marks)
                hit = .object(members)
            }
            hits.append(hit)
        }
        var aggregations: [String: JSON] = [:]
        for facet in RecordSearch.Facet.allCases {
            aggregations[facet.rawValue] = .object([
                "buckets": .array(
                    (result.facets[facet] ?? []).map { .object(["key": .string($0.key), "doc_count": .number(Double($0.count))]) })
            ])
        }
        // Pages to 10,000 hits; past them (and after a cursor) `next` carries a cursor to the hits after this page's last.
        var links: [String: JSON] = ["self": cursor.map { link("cursor", $0.encoded) } ?? link("page", String(page))]
        if cursor == nil, page > 1 { links["prev"] = link("page", String(page - 1)) }
        if result.more {
            if cursor == nil, (page + 1) * size <= RecordSearch.window {
                links["next"] = link("page", String(page + 1))
            } else if let key = result.lastKey {
                links["next"] = link("cursor", SearchCursor(sort: sort, key: key).encoded)
            }
        }
        let body = JSON.object([
            "hits": .object(["total": .number(Double(result.total)), "hits": .array(hits)]),
            "aggregations": .object(aggregations), "sortBy": .string(sort.rawValue), "links": .object(links),
        ])
        return Self.json(body, status: .ok, headers: [:])
    }

    /// A query string as HTML forms send it: `+` a space, then percent-decoded; a bad escape is refused.
    static func formParameters(_ query: String?) throws -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return try query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) throws -> String {
                guard let value = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw RecordsError(.invalid, "The query string has a malformed percent-encoding.")
                }
                return value
            }
            return (try decoded(parts[0]), parts.count > 1 ? try decoded(parts[1]) : "")
        }
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

import AsyncHTTPClient
import Foundation
import JSONSchema
import NIOCore
import NIOHTTP1
import VellumCore
import VellumRecords

/// The records' search index in OpenSearch (`VELLUM_SEARCH_URL=http(s)://host:port[/prefix]`), through its REST API:
/// the alias `{prefix}-records` (default prefix `vellum`) names the live index, one shard so that counts and scores
/// are exact; a rebuild fills `{prefix}-records-{time}` aside and moves the alias in one request.
public struct OpenSearchIndex: SearchIndex {
    let base: String
    let prefix: String
    let http: HTTPClient
    var alias: String { prefix + "-records" }

    public init(url: String, http: HTTPClient = .shared) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), let host = parsed.host
        else { throw ConfigurationError("VELLUM_SEARCH_URL must be http(s)://host:port[/prefix], not \(url)") }
        let path = parsed.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ConfigurationError("VELLUM_SEARCH_URL's prefix may hold only lower-case letters, digits, - and _: \(path)")
        }
        base = "\(scheme)://\(host)" + (parsed.port.map { ":\($0)" } ?? "")
        prefix = path.isEmpty ? "vellum" : path
        self.http = http
    }

    public func prepare() async throws {
        if try await send(.GET, "/_alias/\(alias)", allow: [404]).status != 404 { return }
        let name = try await beginRebuild()
        _ = try await send(
            .POST, "/_aliases", .object(["actions": .array([.object(["add": .object(["index": .string(name), "alias": .string(alias)])])])]))
    }

    public func search(_ search: RecordSearch) async throws -> RecordSearchResult {
        let body = try OpenSearchQuery.body(search)
        let answer = try await send(.POST, "/\(alias)/_search", body).json
        let keys = search.sortKeys
        var hits = answer["hits"]?["hits"]?.arrayValue ?? []
        let total = Int(answer["hits"]?["total"]?["value"]?.numberValue ?? 0)
        let more: Bool
        if search.after != nil {
            more = hits.count > search.size
            hits = Array(hits.prefix(search.size))
        } else {
            more = (search.page - 1) * search.size + hits.count < total
        }
        let ids = hits.compactMap { $0["_id"]?.stringValue.flatMap { Int64($0) } }
        let lastKey = hits.last.flatMap { OpenSearchQuery.key($0["sort"]?.arrayValue ?? [], keys) }
        var facets: [RecordSearch.Facet: [(key: String, count: Int)]] = [:]
        for facet in RecordSearch.Facet.allCases {
            let buckets = answer["aggregations"]?[facet.rawValue]?["buckets"]?["buckets"]
            var counted: [(key: String, count: Int)]
            if let named = buckets?.objectValue {
                counted = named.map { ($0.key, Int($0.value["doc_count"]?.numberValue ?? 0)) }
            } else {
                counted = (buckets?.arrayValue ?? []).map {
                    ($0["key"]?.stringValue ?? $0["key"]?.numberValue.map { String(Int64($0)) } ?? "", Int($0["doc_count"]?.numberValue ?? 0))
                }
            }
            facets[facet] = counted.filter { $0.count > 0 }.sorted { ($1.count, $0.key) < ($0.count, $1.key) }
        }
        return RecordSearchResult(total: total, ids: ids, lastKey: lastKey, more: more, facets: facets)
    }

    public func write(_ documents: [SearchDocument], removing removed: [Int64], target: String?, refresh: Bool) async throws {
        guard !documents.isEmpty || !removed.isEmpty else { return }
        let index = JSON.string(target ?? alias)
        var lines: [String] = []
        for document in documents {
            lines.append(JSON.object(["index": .object(["_index": index, "_id": .string(String(document.id))])]).serialized())
            lines.append(Self.source(document).serialized())
        }
        for id in removed { lines.append(JSON.object(["delete": .object(["_index": index, "_id": .string(String(id))])]).serialized()) }
        let answer = try await send(.POST, "/_bulk" + (refresh ? "?refresh=wait_for" : ""), ndjson: lines.joined(separator: "\n") + "\n").json
        guard answer["errors"] == .bool(true) else { return }
        for item in answer["items"]?.arrayValue ?? [] {
            guard let (action, result) = item.objectValue?.first else { continue }
            let status = Int(result["status"]?.numberValue ?? 0)
            if status >= 300 && !(action == "delete" && status == 404) {
                throw StorageError(
                    .unavailable, "OpenSearch did not take record \(result["_id"]?.stringValue ?? "?"): \(result["error"]?.serialized() ?? "")")
            }
        }
    }

    public func indexed(after: Int64, limit: Int) async throws -> [IndexedRecord] {
        let body: JSON = .object([
            "query": .object(["range": .object(["id": .object(["gt": .string(String(after))])])]), "size": .number(Double(limit)),
            "sort": .array([.object(["id": .object(["order": .string("asc")])])]), "_source": .array(["id", "is_latest", "label"].map(JSON.string)),
        ])
        let answer = try await send(.POST, "/\(alias)/_search", body).json
        return (answer["hits"]?["hits"]?.arrayValue ?? []).compactMap { hit in
            guard let id = hit["_id"]?.stringValue.flatMap({ Int64($0) }), let source = hit["_source"] else { return nil }
            return IndexedRecord(id: id, isLatest: source["is_latest"] == .bool(true), title: source["label"]?.stringValue ?? "")
        }
    }

    public func beginRebuild() async throws -> String {
        let name = "\(alias)-\(Int64(Date().timeIntervalSince1970 * 1000))"
        _ = try await send(.PUT, "/\(name)", Self.settings)
        return name
    }

    public func finishRebuild(_ target: String) async throws {
        // Every other index of this prefix leaves the alias in the same request, then goes.
        let current = try await send(.GET, "/_alias/\(alias)", allow: [404]).json.objectValue?.keys.filter { $0 != target } ?? []
        var actions: [JSON] = current.map { .object(["remove": .object(["index": .string($0), "alias": .string(alias)])]) }
        actions.append(.object(["add": .object(["index": .string(target), "alias": .string(alias)])]))
        _ = try await send(.POST, "/\(target)/_refresh")
        _ = try await send(.POST, "/_aliases", .object(["actions": .array(actions)]))
        // Then the old ones, and those an interrupted rebuild left.
        let built = (try await send(.GET, "/\(alias)-*", allow: [404]).json.objectValue ?? [:]).keys
        for old in Set(current).union(built) where old != target { _ = try await send(.DELETE, "/\(old)", nil, allow: [404]) }
    }

    /// The index's settings and fields: the texts as Vellum's words (split on whitespace only), the rest exact.
    static let settings: JSON = {
        func type(_ name: String) -> JSON { .object(["type": .string(name)]) }
        let words = JSON.object(["type": "text", "analyzer": "whitespace"].mapValues(JSON.string))
        var fields: [String: JSON] = [:]
        for name in ["id", "concept_id", "public_from", "created", "updated"] { fields[name] = type("long") }
        for name in ["title", "creators", "description", "keywords_text"] { fields[name] = words }
        for name in [
            "owner", "keywords", "resource_type", "license", "year", "publication_day", "title_sort", "publication_ascending",
            "publication_descending", "dois", "values",
        ] { fields[name] = type("keyword") }
        fields["is_latest"] = type("boolean")
        // The title as written, kept for `vellum search verify` (never searched: too long to be a term).
        fields["label"] = .object(["type": .string("keyword"), "ignore_above": .number(1)])
        return .object([
            "settings": .object(["number_of_shards": .number(1)]),
            "mappings": .object(["dynamic": .string("strict"), "properties": .object(fields)]),
        ])
    }()

    /// A document as the index keeps it.
    static func source(_ document: SearchDocument) -> JSON {
        func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }
        let folded = SearchDocument.folded(document.title)
        return .object([
            "id": .string(String(document.id)), "concept_id": .string(String(document.conceptID)), "is_latest": .bool(document.isLatest),
            "owner": optional(document.owner), "public_from": document.publicFrom.map { .string(String(Self.micros($0))) } ?? .null,
            "title": .string(SearchDocument.words(document.title)), "creators": .string(SearchDocument.words(document.creators)),
            "description": .string(SearchDocument.words(document.description)),
            "keywords_text": .string(SearchDocument.words(document.keywords.joined(separator: "\n"))),
            "keywords": .array(document.keywords.map(JSON.string)), "resource_type": optional(document.resourceType),
            "license": optional(document.license), "year": optional(document.year.map(String.init)),
            "publication_day": optional(document.publicationDay), "title_sort": .string(String(folded.prefix(4000))),
            "publication_ascending": .string(document.publicationDay ?? "99999"), "publication_descending": .string(document.publicationDay ?? ""),
            "created": .string(String(Self.micros(document.created))), "updated": .string(String(Self.micros(document.updated))),
            "dois": .array(document.dois.map(JSON.string)), "values": .array(document.values.map(JSON.string)), "label": .string(document.title),
        ])
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    struct Answer {
        var status: Int
        var json: JSON
    }

    /// One request; an answer outside 2xx (and `allow`) is an error: 4xx the query's (400), the rest the index's (503).
    func send(_ method: HTTPMethod, _ path: String, _ body: JSON? = nil, ndjson: String? = nil, allow: Set<Int> = []) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let text = ndjson ?? body?.serialized() {
            request.headers.add(name: "Content-Type", value: ndjson == nil ? "application/json" : "application/x-ndjson")
            request.body = .bytes(ByteBuffer(string: text))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw StorageError(.unavailable, "The search index (OpenSearch) did not answer: \(error)")
        }
        let json = (try? JSON(parsing: Array(bytes.readableBytesView))) ?? .null
        if (200..<300).contains(status) || allow.contains(status) { return Answer(status: status, json: json) }
        let reason = json["error"]?["reason"]?.stringValue ?? json["error"]?.stringValue ?? String(buffer: bytes).prefix(300).description
        if (400..<500).contains(status) && status != 429 && path.hasSuffix("/_search") {
            throw RecordsError(.invalid, "The search index refused the query: \(reason)")
        }
        throw StorageError(.unavailable, "The search index (OpenSearch) answered \(status): \(reason)")
    }
}

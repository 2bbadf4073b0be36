import Foundation
import JSONSchema
import SearchQuery

/// A search of published records (api.md §9), as the index backends take it.
public struct RecordSearch: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable {
        case bestmatch, newest, oldest, updated, title
        case publicationDate = "publication_date"
        case publicationDateDescending = "-publication_date"
    }

    /// The facets, by their parameter names.
    public enum Facet: String, Sendable, CaseIterable {
        case resourceType = "resource_type"
        case keywords, license, year, access
    }

    public var query: Query
    /// Values chosen per facet: a facet's values OR, different facets AND.
    public var filters: [Facet: [String]]
    public var sort: Sort
    /// From 1.
    public var page: Int
    public var size: Int
    public var allVersions: Bool
    /// Who searches: records restricted to their owner are found by their owner (and by admins).
    public var owner: String?
    public var isAdmin: Bool
    /// The instant visibility is judged at (embargoes).
    public var now: Date
    /// Hits after this one (keyset paging past the window): its sort key values; `page` is then ignored.
    public var after: [SearchKey]?

    public init(
        query: Query, filters: [Facet: [String]] = [:], sort: Sort, page: Int = 1, size: Int = 10, allVersions: Bool = false,
        owner: String? = nil, isAdmin: Bool = false, now: Date = Date()
    ) {
        self.query = query
        self.filters = filters
        self.sort = sort
        self.page = page
        self.size = size
        self.allVersions = allVersions
        self.owner = owner
        self.isAdmin = isAdmin
        self.now = now
        self.after = nil
    }

    /// Hits a search pages through at most (`page × size`).
    public static let window = 10_000
    public static let facetBuckets = 10
}

/// What a search found: how many, the page's record ids in order, and each facet's counts (most first).
public struct RecordSearchResult: Sendable, Equatable {
    public var total: Int
    public var ids: [Int64]
    /// The sort key values of the page's last hit, for a cursor to the hits after it.
    public var lastKey: [SearchKey]?
    /// Whether hits follow the page.
    public var more: Bool
    public var facets: [RecordSearch.Facet: [(key: String, count: Int)]]

    public init(
        total: Int, ids: [Int64], lastKey: [SearchKey]? = nil, more: Bool = false, facets: [RecordSearch.Facet: [(key: String, count: Int)]]
    ) {
        self.total = total
        self.ids = ids
        self.lastKey = lastKey
        self.more = more
        self.facets = facets
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.total == b.total && a.ids == b.ids
            && a.facets.mapValues { $0.map { "\($0.key)\u{0}\($0.count)" } } == b.facets.mapValues { $0.map { "\($0.key)\u{0}\($0.count)" } }
    }
}

/// The search index's queries, run in a read transaction (`session.queries(SearchQueries.self)`); the index is
/// written by the record store itself, with every record write.
public protocol SearchQueries: Sendable {
    func search(_ search: RecordSearch) async throws -> RecordSearchResult
    /// Puts a record in the index as it now stands (or takes it out).
    func reindex(_ record: Record) async throws
    /// Takes a record's row out of the index.
    func unindexRecord(_ id: Int64) async throws
    /// The index's rows after `after`, by id: what `vellum search verify` compares with the records.
    func indexedRecords(after: Int64, limit: Int) async throws -> [IndexedRecord]
    /// Takes up to `limit` outbox rows no one holds, until `until`: the records to send, each with its change number.
    func claimOutbox(limit: Int, until: Date, now: Date) async throws -> [(id: Int64, seq: Int64)]
    /// Removes the rows sent, unless their record changed since; frees the others.
    func finishOutbox(_ rows: [(id: Int64, seq: Int64)]) async throws
    /// Puts every published record changed since `since`, and every version of their concepts, in the outbox.
    func enqueueChanged(since: Date) async throws
    /// Empties the outbox (with the database's own index, there is no one to tell); the number of rows removed.
    func clearOutbox() async throws -> Int
}

/// What verification reads back of an index row.
public struct IndexedRecord: Sendable, Equatable {
    public var id: Int64
    public var isLatest: Bool
    public var title: String

    public init(id: Int64, isLatest: Bool, title: String) {
        self.id = id
        self.isLatest = isLatest
        self.title = title
    }
}

/// One value of a hit's sort key, as a cursor carries it.
public enum SearchKey: Sendable, Hashable {
    case integer(Int64)
    case real(Double)
    case text(String)

    public enum Kind: Sendable { case integer, real, text }

    public var kind: Kind {
        switch self {
        case .integer: .integer
        case .real: .real
        case .text: .text
        }
    }
}

/// `cursor=…` (api.md §9): the sort and the last hit's key, opaque to clients (base64url of JSON).
public struct SearchCursor: Sendable, Equatable {
    public var sort: RecordSearch.Sort
    public var key: [SearchKey]

    public init(sort: RecordSearch.Sort, key: [SearchKey]) {
        self.sort = sort
        self.key = key
    }

    public var encoded: String {
        let values: [JSON] = key.map {
            switch $0 {
            case .integer(let n): .object(["i": .string(String(n))])
            case .real(let x): .object(["r": .number(x)])
            case .text(let t): .object(["t": .string(t)])
            }
        }
        let text = JSON.object(["s": .string(sort.rawValue), "k": .array(values)]).serialized()
        return Data(text.utf8).base64url
    }

    /// A cursor this daemon made; nil for anything else.
    public init?(encoded: String) {
        guard encoded.count <= 8192, let data = Data(base64url: encoded), let json = try? JSON(parsing: Array(data)),
            let sort = json["s"]?.stringValue.flatMap(RecordSearch.Sort.init(rawValue:)), let values = json["k"]?.arrayValue
        else { return nil }
        var key: [SearchKey] = []
        for value in values {
            if let n = value["i"]?.stringValue.flatMap(Int64.init) {
                key.append(.integer(n))
            } else if let x = value["r"]?.numberValue, x.isFinite {
                key.append(.real(x))
            } else if let t = value["t"]?.stringValue {
                key.append(.text(t))
            } else {
                return nil
            }
        }
        self.init(sort: sort, key: key)
    }
}

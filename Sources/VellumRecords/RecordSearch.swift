import Foundation
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
    }

    /// Hits a search pages through at most (`page × size`).
    public static let window = 10_000
    public static let facetBuckets = 10
}

/// What a search found: how many, the page's record ids in order, and each facet's counts (most first).
public struct RecordSearchResult: Sendable, Equatable {
    public var total: Int
    public var ids: [Int64]
    public var facets: [RecordSearch.Facet: [(key: String, count: Int)]]

    public init(total: Int, ids: [Int64], facets: [RecordSearch.Facet: [(key: String, count: Int)]]) {
        self.total = total
        self.ids = ids
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

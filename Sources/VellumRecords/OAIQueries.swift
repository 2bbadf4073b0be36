import Foundation
import SearchQuery

/// A record as OAI-PMH harvesters see it (api.md §10): published and public now, or a deleted header for one that
/// harvesters could have seen (removed, or no longer public).
public struct OAIItem: Sendable, Equatable {
    public var id: Int64
    /// When harvesters should see the item change: its last change, or when its embargo lifted if later.
    public var datestamp: Date
    public var deleted: Bool
    public var resourceType: String?
    /// The named sets it is in.
    public var sets: [String]

    public init(id: Int64, datestamp: Date, deleted: Bool, resourceType: String?, sets: [String]) {
        self.id = id
        self.datestamp = datestamp
        self.deleted = deleted
        self.resourceType = resourceType
        self.sets = sets
    }
}

/// A named set (`vellum oai set add SPEC NAME QUERY`): the records its search query finds.
public struct OAISet: Sendable, Equatable {
    public var spec: String
    public var name: String
    public var query: String

    public init(spec: String, name: String, query: String) {
        self.spec = spec
        self.name = name
        self.query = query
    }
}

/// Which items a list request asks for: ids after `after`, changed within `from..<until`, in one set.
public struct OAIListing: Sendable {
    public enum Set: Sendable {
        /// Items with any resource type (`resource_type`), or with one (`resource_type:dataset`).
        case resourceType(String?)
        case named(String, Query)
    }

    public var after: Int64
    public var from: Date?
    /// Exclusive.
    public var until: Date?
    public var set: Set?
    public var limit: Int
    /// Visibility is judged at this instant (embargoes).
    public var now: Date

    public init(after: Int64 = 0, from: Date? = nil, until: Date? = nil, set: Set? = nil, limit: Int, now: Date = Date()) {
        self.after = after
        self.from = from
        self.until = until
        self.set = set
        self.limit = limit
        self.now = now
    }
}

/// The store's OAI-PMH rows (`oai_items`, written with every record change, in its transaction), named sets and the
/// key resumption tokens are signed with.
public protocol OAIQueries: Sendable {
    /// Items in id order; each live one's named sets among `named`.
    func oaiItems(_ listing: OAIListing, named: [(spec: String, query: Query)]) async throws -> [OAIItem]
    /// How many items the listing has in all (from its first id).
    func oaiCount(_ listing: OAIListing) async throws -> Int
    /// The earliest datestamp of an item visible at `now`.
    func oaiEarliest(now: Date) async throws -> Date?
    /// The resource types of the items visible at `now`.
    func oaiResourceTypes(now: Date) async throws -> [String]
    func oaiSets() async throws -> [OAISet]
    /// False if a set has that spec already.
    func insertOAISet(_ set: OAISet) async throws -> Bool
    /// False if none had that spec.
    func deleteOAISet(_ spec: String) async throws -> Bool
    /// The resumption tokens' signing key, if one was made.
    func oaiKey() async throws -> [UInt8]?
    /// Keeps `key` as the signing key, unless there is one already.
    func insertOAIKey(_ key: [UInt8]) async throws
}

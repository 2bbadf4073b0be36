import Foundation
import SearchQuery

/// What OAI-PMH harvesters see (api.md §10): public published records and the deleted headers of those that were,
/// in id order (a harvest that runs while records change returns every record that existed throughout exactly
/// once), and the sets: `resource_type`, `resource_type:{type}`, and the named sets of `vellum oai set`.
extension RecordsService {
    /// Items in a list response.
    public static let oaiPageSize = 100
    /// The parent of the resource-type sets.
    public static let oaiResourceTypeSet = "resource_type"

    /// A page of items after `listing.after`, each with the named sets it is in; and, with `count`, how many the
    /// listing has in all from its start.
    public func oaiPage(_ listing: OAIListing, count: Bool) async throws -> (items: [OAIItem], total: Int?) {
        let named = try await oaiNamedSets().compactMap { set in (try? QueryParser().parse(set.query)).map { (set.spec, $0) } }
        return try await store.read { session in
            let queries = try session.queries(OAIQueries.self)
            let items = try await queries.oaiItems(listing, named: named)
            var start = listing
            start.after = 0
            return (items, count ? try await queries.oaiCount(start) : nil)
        }
    }

    /// One item, if harvesters may see it.
    public func oaiItem(_ id: Int64, now: Date = Date()) async throws -> OAIItem? {
        guard id > 0 else { return nil }
        return try await oaiPage(OAIListing(after: id - 1, limit: 1, now: now), count: false).items.first { $0.id == id }
    }

    /// The set a list request names; nil if there is none by that spec.
    public func oaiSet(_ spec: String) async throws -> OAIListing.Set? {
        if spec == Self.oaiResourceTypeSet { return .resourceType(nil) }
        if spec.hasPrefix(Self.oaiResourceTypeSet + ":") { return .resourceType(String(spec.dropFirst(Self.oaiResourceTypeSet.count + 1))) }
        guard let set = try await oaiNamedSets().first(where: { $0.spec == spec }) else { return nil }
        return .named(spec, try QueryParser().parse(set.query))
    }

    /// Every set, as `ListSets` lists them: the resource types items have now, then the named sets.
    public func oaiSetList(now: Date = Date()) async throws -> [(spec: String, name: String)] {
        let types = try await store.read { try await $0.queries(OAIQueries.self).oaiResourceTypes(now: now) }
            .filter { Self.isSetSpec($0) && !$0.contains(":") }
        let named = try await oaiNamedSets().map { ($0.spec, $0.name) }
        guard !types.isEmpty else { return named }
        return [(Self.oaiResourceTypeSet, "Resource types")] + types.map { ("\(Self.oaiResourceTypeSet):\($0)", "Resource type: \($0)") } + named
    }

    public func oaiNamedSets() async throws -> [OAISet] {
        try await store.read { try await $0.queries(OAIQueries.self).oaiSets() }
    }

    /// Adds a named set: `spec` in OAI-PMH's setSpec characters without `:` (named sets are flat), not
    /// `resource_type`, and `query` in the search language (api.md §9).
    public func addOAISet(_ set: OAISet) async throws {
        guard Self.isSetSpec(set.spec), !set.spec.contains(":"), set.spec != Self.oaiResourceTypeSet else {
            throw RecordsError(
                .invalid, "A set's spec is letters, digits and -_.!~*'() (no ':'), and not '\(Self.oaiResourceTypeSet)': '\(set.spec)' is not.")
        }
        guard !set.name.isEmpty else { throw RecordsError(.invalid, "A set needs a name.") }
        do {
            _ = try QueryParser().parse(set.query)
        } catch {
            throw RecordsError(.invalid, "The set's query: \(error.description)")
        }
        guard try await store.write({ try await $0.queries(OAIQueries.self).insertOAISet(set) }) else {
            throw RecordsError(.conflict, "A set with the spec '\(set.spec)' exists already.")
        }
    }

    public func removeOAISet(_ spec: String) async throws {
        guard try await store.write({ try await $0.queries(OAIQueries.self).deleteOAISet(spec) }) else {
            throw RecordsError(.notFound, "No set has the spec '\(spec)'.")
        }
    }

    /// The earliest datestamp harvesters can see; the epoch when there is nothing yet.
    public func oaiEarliest(now: Date = Date()) async throws -> Date {
        try await store.read { try await $0.queries(OAIQueries.self).oaiEarliest(now: now) } ?? Date(timeIntervalSince1970: 0)
    }

    /// The key resumption tokens are signed with: in the database, so tokens outlive restarts and any daemon
    /// sharing it reads them.
    public func oaiKey() async throws -> [UInt8] {
        if let key = try await store.read({ try await $0.queries(OAIQueries.self).oaiKey() }) { return key }
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return try await store.write { session in
            let queries = try session.queries(OAIQueries.self)
            try await queries.insertOAIKey(fresh)
            return try await queries.oaiKey() ?? fresh
        }
    }

    /// Published records by id (the items a `ListRecords` page shows).
    public func oaiRecords(_ ids: [Int64]) async throws -> [Record] {
        try await store.read { try await $0.queries(RecordQueries.self).records(ids) }
    }

    /// The characters of OAI-PMH's names (a metadataPrefix, a setSpec's parts).
    public static let oaiNameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!~*'()".unicodeScalars)

    /// OAI-PMH's setSpec: `([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*`.
    public static func isSetSpec(_ spec: String) -> Bool {
        spec.split(separator: ":", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.unicodeScalars.allSatisfy(oaiNameCharacters.contains)
        }
    }
}

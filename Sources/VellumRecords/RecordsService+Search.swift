import Foundation
import SearchQuery
import VellumCore

extension RecordsService {
    /// Published records the caller may see that match `search` (api.md §9), the page's records in order. The query
    /// text is read here: a syntax error is `invalid`, with its position.
    public func search(_ text: String, _ search: RecordSearch, by principal: Principal) async throws -> (RecordSearchResult, [Record]) {
        var search = search
        do {
            search.query = try QueryParser().parse(text)
        } catch {
            throw RecordsError(.invalid, error.description)
        }
        guard (1...100).contains(search.size) else { throw RecordsError(.invalid, "size must be from 1 to 100.") }
        guard search.page >= 1, search.page <= RecordSearch.window / search.size else {
            throw RecordsError(.invalid, "page × size must be at most \(RecordSearch.window).")
        }
        search.owner = principal.tokenID
        search.isAdmin = principal.isAdmin
        let found = search
        return try await store.read { session in
            let result = try await session.queries(SearchQueries.self).search(found)
            let records = try session.queries(RecordQueries.self)
            var hits: [Record] = []
            for id in result.ids { if let record = try await records.record(id) { hits.append(record) } }
            return (result, hits)
        }
    }
}

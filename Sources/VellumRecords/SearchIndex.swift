import Foundation

/// A search index outside the database (OpenSearch, `VELLUM_SEARCH_URL`): fed from the outbox the records' writes
/// fill in their transactions (`RecordsService.drainSearchOutbox`), searched instead of the database's own index.
public protocol SearchIndex: Sendable {
    /// Makes the live index if there is none.
    func prepare() async throws
    func search(_ search: RecordSearch) async throws -> RecordSearchResult
    /// Puts `documents` and takes out `removed` records, in the live index or in `target` (a rebuild's); with
    /// `refresh`, returns once searches see them.
    func write(_ documents: [SearchDocument], removing removed: [Int64], target: String?, refresh: Bool) async throws
    /// What the live index holds, by record id.
    func indexed(after: Int64, limit: Int) async throws -> [IndexedRecord]
    /// A new, empty index beside the live one; its name.
    func beginRebuild() async throws -> String
    /// Makes the rebuilt index the live one, at once for every search, and drops the old ones.
    func finishRebuild(_ target: String) async throws
}

/// One holder at a time, in order of arrival: the outbox is sent by one task of a daemon at a time, so that a
/// record read earlier is never sent after the same record read later.
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}

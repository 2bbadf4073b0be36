import Foundation
import Synchronization

/// Holds a named lease (`LeaseQueries`: one holder at a time, across every process sharing the database) while
/// the work it guards runs beside it under the same `WorkerRunner`: taken for two minutes by `acquire`, renewed
/// every 10 s by each unit (a failed renewal is tried again at the next), given back by `release`. The work asks
/// `isHeld` before each step: false once the lease was found taken by another or not renewed for a minute.
public final class LeaseWorker: BackgroundWorker {
    public let lease: String
    public let holder: String
    let store: any MetadataStore
    /// When the lease was last taken or renewed; nil once found lost.
    private let renewed = Mutex<ContinuousClock.Instant?>(nil)

    public init(_ lease: String, holder: String, store: any MetadataStore) {
        self.lease = lease
        self.holder = holder
        self.store = store
    }

    public var name: String { "lease:\(lease)" }
    public var interval: Duration { .seconds(10) }

    public var isHeld: Bool { renewed.withLock { $0 }.map { $0.duration(to: .now) < .seconds(60) } ?? false }

    /// Takes the lease if it is free, lapsed or held by a holder `isGone` (a process known to have died); answers
    /// its holder now (this one's `holder` when taken).
    public func acquire(takingOverFrom isGone: (String) -> Bool = { _ in false }) async throws -> (holder: String, until: Date) {
        var current = try await take()
        if current.holder != holder, isGone(current.holder) {
            let gone = current.holder
            try await store.write { [lease] in try await $0.releaseLease(lease, holder: gone) }
            current = try await take()
        }
        return current
    }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        let current = try await take()
        guard current.holder == holder else {
            renewed.withLock { $0 = nil }
            throw FilesError(.conflict, "The lease '\(lease)' was taken by \(current.holder).")
        }
        return WorkReport(items: 1)
    }

    /// Gives the lease back (a failure only leaves it to lapse).
    public func release() async {
        renewed.withLock { $0 = nil }
        try? await store.write { [lease, holder] in try await $0.releaseLease(lease, holder: holder) }
    }

    private func take() async throws -> (holder: String, until: Date) {
        let current = try await store.write { [lease, holder] in
            try await $0.takeLease(lease, holder: holder, until: .now + 120, now: .now)
        }
        if current.holder == holder { renewed.withLock { $0 = .now } }
        return current
    }
}

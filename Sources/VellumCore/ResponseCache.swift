import Synchronization

/// Derived bytes by key (a file id and what was derived: a IIIF request, a preview's page image), at most `capacity` bytes in all: the
/// least recently used go first. Stored versions never change, so an entry is never stale; one whose file is
/// deleted just ages out.
public final class ResponseCache: Sendable {
    private struct Entry {
        var bytes: [UInt8]
        var used: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var size = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
    }

    public func get(_ key: String) -> [UInt8]? {
        state.withLock { state in
            state.clock += 1
            state.entries[key]?.used = state.clock
            return state.entries[key]?.bytes
        }
    }

    /// Keeps `bytes` unless they alone exceed an eighth of the capacity. Over capacity, the least recently used
    /// quarter of the entries is dropped at once (one sort, rather than a search per eviction).
    public func put(_ key: String, _ bytes: [UInt8]) {
        guard bytes.count <= capacity / 8 else { return }
        state.withLock { state in
            state.clock += 1
            state.size += bytes.count - (state.entries[key]?.bytes.count ?? 0)
            state.entries[key] = Entry(bytes: bytes, used: state.clock)
            guard state.size > capacity else { return }
            let oldest = state.entries.sorted { $0.value.used < $1.value.used }.prefix(max(state.entries.count / 4, 1))
            for (key, entry) in oldest {
                state.entries[key] = nil
                state.size -= entry.bytes.count
            }
        }
    }
}

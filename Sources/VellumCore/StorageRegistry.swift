import Foundation

/// The storage backend of every location, made on first use so that locations added while the daemon runs work.
public actor StorageRegistry {
    private let store: any MetadataStore
    private let factory: any StorageBackendFactory
    private var backends: [String: any StorageBackend] = [:]

    public init(store: any MetadataStore, factory: any StorageBackendFactory) {
        self.store = store
        self.factory = factory
    }

    /// The backend of the named location.
    public func backend(for name: String) async throws -> any StorageBackend {
        if let backend = backends[name] { return backend }
        let locations = try await store.read { try await $0.locations() }
        guard let location = locations.first(where: { $0.name == name }) else {
            throw FilesError(.failure, "Storage location '\(name)' is not configured.")
        }
        let backend = try factory.makeBackend(for: location)
        backends[name] = backend
        return backend
    }

    /// The backends made so far (those this process has used).
    public func opened() -> [any StorageBackend] { Array(backends.values) }

    /// Adds a location after checking that it can be written, optionally making it the default for new buckets.
    public func add(_ location: Location) async throws {
        try Location.validate(name: location.name)
        let existing = try await store.read { try await $0.locations() }
        guard !existing.contains(where: { $0.name == location.name }) else {
            throw FilesError(.conflict, "A location named '\(location.name)' already exists.")
        }
        if let other = existing.first(where: { Location.overlap($0.uri, location.uri) }) {
            throw FilesError(.conflict, "Location '\(other.name)' already stores bytes there (\(other.uri)).")
        }
        try await factory.prepare(location)
        try await store.write { session in
            guard try await !session.locations().contains(where: { $0.name == location.name }) else {
                throw FilesError(.conflict, "A location named '\(location.name)' already exists.")
            }
            try await session.insertLocation(Location(name: location.name, uri: location.uri, isDefault: false, created: location.created))
            if location.isDefault { try await session.setDefaultLocation(location.name) }
        }
    }

    /// Every configured location with its backend.
    public func all() async throws -> [(Location, any StorageBackend)] {
        var result: [(Location, any StorageBackend)] = []
        for location in try await store.read({ try await $0.locations() }) {
            result.append((location, try await backend(for: location.name)))
        }
        return result
    }
}

import Foundation

extension FilesAdministration {
    /// Every storage location (administrators only).
    public func locations(by principal: Principal) async throws -> [Location] {
        try principal.requireAdmin()
        return try await store.read { try await $0.locations() }
    }

    /// Adds a storage location (administrators only): `uri` must be reachable and writable now.
    public func addLocation(name: String, uri: String, isDefault: Bool, by principal: Principal) async throws -> Location {
        try principal.requireAdmin()
        let location = Location(name: name, uri: uri, isDefault: isDefault, created: Date())
        try await storage.add(location)
        return location
    }
}

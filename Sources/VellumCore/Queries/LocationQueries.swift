import Foundation

/// The storage locations (`locations`).
public protocol LocationQueries {
    func locations() async throws -> [Location]

    func insertLocation(_ location: Location) async throws

    /// Makes `name` the only default location.
    func setDefaultLocation(_ name: String) async throws
}

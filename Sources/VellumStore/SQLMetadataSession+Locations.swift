import Foundation
import SQLKit
import VellumCore

/// `locations`.
extension SQLMetadataSession: LocationQueries {
    public func locations() async throws -> [Location] {
        try await db.raw("SELECT name, uri, is_default, created FROM locations ORDER BY name").all().map { row in
            Location(
                name: try row.decode(column: "name", as: String.self), uri: try row.decode(column: "uri", as: String.self),
                isDefault: try row.decode(column: "is_default", as: Bool.self),
                created: .micros(try row.decode(column: "created", as: Int64.self)))
        }
    }

    public func insertLocation(_ location: Location) async throws {
        try await db.raw(
            """
            INSERT INTO locations (name, uri, is_default, created)
            VALUES (\(bind: location.name), \(bind: location.uri), \(bind: location.isDefault), \(bind: location.created.micros))
            """
        ).run()
    }

    public func setDefaultLocation(_ name: String) async throws {
        try await db.raw("UPDATE locations SET is_default = (name = \(bind: name))").run()
    }
}

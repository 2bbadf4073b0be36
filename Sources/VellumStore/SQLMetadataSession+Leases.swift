import Foundation
import SQLKit
import VellumCore

/// `leases`.
extension SQLMetadataSession: LeaseQueries {
    public func takeLease(_ name: String, holder: String, until: Date, now: Date) async throws -> (holder: String, until: Date) {
        try await db.raw(
            """
            INSERT INTO leases (name, holder, until) VALUES (\(bind: name), \(bind: holder), \(bind: until.micros))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
                WHERE leases.holder = excluded.holder OR leases.until < \(bind: now.micros)
            """
        ).run()
        guard let row = try await db.raw("SELECT holder, until FROM leases WHERE name = \(bind: name)").first() else {
            throw StorageError.failure("lease \(name) vanished")
        }
        return (try row.decode(column: "holder", as: String.self), Date.micros(try row.decode(column: "until", as: Int64.self)))
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await db.raw("DELETE FROM leases WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
    }
}

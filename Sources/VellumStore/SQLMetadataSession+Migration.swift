import Foundation
import SQLKit
import VellumCore

/// Moving files' bytes between storage locations (`vellum migrate`).
extension SQLMetadataSession {
    func switchBucketLocations(from: String, to: String, bucketID: UUID?) async throws -> Int {
        let only: SQLQueryString = bucketID.map { " AND id = \(bind: $0.lowercased)" } ?? ""
        return try await db.raw(
            "UPDATE buckets SET location = \(bind: to) WHERE location = \(bind: from)\(only) RETURNING id"
        ).all().count
    }

    func files(in location: String, bucketID: UUID?, after afterID: UUID?, limit: Int) async throws -> [FileInstance] {
        let after: SQLQueryString = afterID.map { " AND f.id > \(bind: $0.lowercased)" } ?? ""
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM \(Self.movable(location, bucketID))\(after)
            ORDER BY f.id LIMIT \(bind: limit)
            """
        ).all()
        return try rows.compactMap { try Self.file(from: $0) }
    }

    func countFiles(in location: String, bucketID: UUID?) async throws -> (files: Int, bytes: Int64) {
        let row = try await db.raw(
            """
            SELECT COUNT(*) AS n, COALESCE(CAST(SUM(f.size) AS BIGINT), 0) AS b FROM \(Self.movable(location, bucketID))
            """
        ).first()
        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "b", as: Int64.self) ?? 0)
    }

    /// The files (not being deleted) whose bytes are in `location`: all, or those of a bucket's versions and their
    /// derivatives.
    private static func movable(_ location: String, _ bucketID: UUID?) -> SQLQueryString {
        let bucket: SQLQueryString =
            bucketID.map { id in
                """
                 AND (f.id IN (SELECT file_id FROM object_versions WHERE bucket_id = \(bind: id.lowercased))
                    OR f.id IN (SELECT d.derivative_id FROM file_derivatives d JOIN object_versions v ON v.file_id = d.file_id
                        WHERE v.bucket_id = \(bind: id.lowercased)))
                """
            } ?? ""
        return "files f WHERE f.location = \(bind: location) AND NOT f.deleting\(bucket)"
    }

    func takeLease(_ name: String, holder: String, until: Date, now: Date) async throws -> (holder: String, until: Date) {
        try await db.raw(
            """
            INSERT INTO leases (name, holder, until) VALUES (\(bind: name), \(bind: holder), \(bind: until.micros))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
                WHERE leases.holder = excluded.holder OR leases.until < \(bind: now.micros)
            """
        ).run()
        guard let row = try await db.raw("SELECT holder, until FROM leases WHERE name = \(bind: name)").first() else {
            throw VellumError.storage("lease \(name) vanished")
        }
        return (try row.decode(column: "holder", as: String.self), Date.micros(try row.decode(column: "until", as: Int64.self)))
    }

    func releaseLease(_ name: String, holder: String) async throws {
        try await db.raw("DELETE FROM leases WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
    }

    func moveFile(_ id: UUID, from: String, to: String) async throws -> Bool {
        try await db.raw(
            """
            UPDATE files SET location = \(bind: to) WHERE id = \(bind: id.lowercased) AND location = \(bind: from)
                AND NOT deleting RETURNING id
            """
        ).first() != nil
    }
}

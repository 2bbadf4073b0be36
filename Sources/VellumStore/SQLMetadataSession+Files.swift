import Foundation
import SQLKit
import VellumCore

/// `files`: their rows, and moving their bytes between locations (`vellum migrate`).
extension SQLMetadataSession: FileQueries {
    public func insertFile(_ f: FileInstance) async throws {
        try await db.raw(
            """
            INSERT INTO files (id, location, size, md5, sha256, deleting, last_check_at, last_check, created)
            VALUES (\(bind: f.id.lowercased), \(bind: f.location), \(bind: f.size), \(bind: f.checksums.md5),
                    \(bind: f.checksums.sha256), \(bind: false), \(bind: f.lastCheckAt?.micros), \(bind: f.lastCheck),
                    \(bind: f.created.micros))
            """
        ).run()
    }

    public func fileExists(_ id: UUID, in location: String) async throws -> Bool {
        try await db.raw("SELECT id FROM files WHERE id = \(bind: id.lowercased) AND location = \(bind: location)").first() != nil
    }

    public func existingFiles(_ ids: [UUID], in location: String) async throws -> Set<UUID> {
        var found = Set<UUID>()
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = ids[start..<min(start + 500, ids.count)]
            let list = SQLList(slice.map { SQLBind($0.lowercased) })
            for row in try await db.raw("SELECT id FROM files WHERE id IN (\(list)) AND location = \(bind: location)").all() {
                found.insert(try row.decodeUUID(column: "id"))
            }
        }
        return found
    }

    public func fileReferenceCount(_ id: UUID) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM object_versions WHERE file_id = \(bind: id.lowercased)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    public func markFileDeleting(_ id: UUID) async throws -> [FileInstance] {
        let id = id.lowercased
        let derivatives = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.derivative_id
            WHERE d.file_id = \(bind: id)
            """
        ).all().compactMap(Self.file(from:))
        try await db.raw(
            """
            UPDATE files SET deleting = \(bind: true), purge_lease_until = \(bind: Date(timeIntervalSinceNow: 60).micros)
            WHERE id = \(bind: id) OR id IN (SELECT derivative_id FROM file_derivatives WHERE file_id = \(bind: id))
            """
        ).run()
        try await db.raw("DELETE FROM file_derivatives WHERE file_id = \(bind: id)").run()
        // Its derivatives' jobs (`DerivativeKind.jobKind`; a claim under way then completes nothing).
        try await db.raw("DELETE FROM jobs WHERE subject = \(bind: id) AND kind LIKE \(bind: DerivativeKind.jobPrefix + "%")").run()
        return derivatives
    }

    public func claimFilesToPurge(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance] {
        let files = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM files f
            WHERE f.deleting = \(bind: true) AND (f.purge_lease_until IS NULL OR f.purge_lease_until < \(bind: now.micros))
            ORDER BY f.id LIMIT \(bind: limit)\(unsafeRaw: dialect.claimFiles)
            """
        ).all().compactMap(Self.file(from:))
        guard !files.isEmpty else { return [] }
        let ids = SQLList(files.map { SQLBind($0.id.lowercased) })
        try await db.raw("UPDATE files SET purge_lease_until = \(bind: leaseUntil.micros) WHERE id IN (\(ids))").run()
        return files
    }

    public func deleteFile(_ id: UUID) async throws {
        try await db.raw("DELETE FROM files WHERE id = \(bind: id.lowercased)").run()
    }

    public func files(in location: String, bucketID: UUID?, after afterID: UUID?, limit: Int) async throws -> [FileInstance] {
        let after: SQLQueryString = afterID.map { " AND f.id > \(bind: $0.lowercased)" } ?? ""
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM \(Self.movable(location, bucketID))\(after)
            ORDER BY f.id LIMIT \(bind: limit)
            """
        ).all()
        return try rows.compactMap { try Self.file(from: $0) }
    }

    public func countFiles(in location: String, bucketID: UUID?) async throws -> (files: Int, bytes: Int64) {
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

    public func moveFile(_ id: UUID, from: String, to: String) async throws -> Bool {
        try await db.raw(
            """
            UPDATE files SET location = \(bind: to) WHERE id = \(bind: id.lowercased) AND location = \(bind: from)
                AND NOT deleting RETURNING id
            """
        ).first() != nil
    }

    static let fileColumns = """
        f.id AS f_id, f.location AS f_location, f.size AS f_size, f.md5 AS f_md5, f.sha256 AS f_sha256,
        f.last_check_at AS f_last_check_at, f.last_check AS f_last_check, f.created AS f_created
        """

    static func file(from row: any SQLRow) throws -> FileInstance? {
        guard !(try row.decodeNil(column: "f_id")) else { return nil }
        return FileInstance(
            id: try row.decodeUUID(column: "f_id"), location: try row.decode(column: "f_location", as: String.self),
            size: try row.decode(column: "f_size", as: Int64.self),
            checksums: Checksums(
                md5: try row.decode(column: "f_md5", as: String.self),
                sha256: try row.decode(column: "f_sha256", as: String.self)),
            lastCheckAt: try row.decode(column: "f_last_check_at", as: Int64?.self).map(Date.micros),
            lastCheck: try row.decode(column: "f_last_check", as: Bool?.self),
            created: .micros(try row.decode(column: "f_created", as: Int64.self)))
    }
}

import Foundation
import SQLKit
import VellumCore

/// `buckets` and `upload_reservations`.
extension SQLMetadataSession: BucketQueries {
    public func bucket(_ id: UUID) async throws -> Bucket? {
        try await lockBucket(id)
        return try await db.raw("SELECT * FROM buckets WHERE id = \(bind: id.lowercased)").first().map { try Self.bucket(from: $0) }
    }

    public func insertBucket(_ b: Bucket) async throws {
        try await db.raw(
            """
            INSERT INTO buckets (id, owner, location, size, quota_size, max_file_size, locked, public, created, updated)
            VALUES (\(bind: b.id.lowercased), \(bind: b.owner), \(bind: b.location), \(bind: b.size), \(bind: b.quotaSize),
                    \(bind: b.maxFileSize), \(bind: b.locked), \(bind: b.isPublic), \(bind: b.created.micros),
                    \(bind: b.updated.micros))
            """
        ).run()
    }

    public func addToBucketSize(_ id: UUID, _ delta: Int64, updated: Date) async throws -> Bucket? {
        try await db.raw(
            """
            UPDATE buckets SET size = size + \(bind: delta), updated = \(bind: updated.micros) WHERE id = \(bind: id.lowercased)
            RETURNING *
            """
        ).first().map { try Self.bucket(from: $0) }
    }

    public func addReservation(_ fileID: UUID, bucketID: UUID, bytes: Int64, at date: Date) async throws {
        try await db.raw(
            """
            INSERT INTO upload_reservations (file_id, bucket_id, size, created)
            VALUES (\(bind: fileID.lowercased), \(bind: bucketID.lowercased), \(bind: bytes), \(bind: date.micros))
            ON CONFLICT (file_id) DO UPDATE SET size = upload_reservations.size + excluded.size
            """
        ).run()
    }

    public func deleteReservation(_ fileID: UUID) async throws -> (bucketID: UUID, bytes: Int64)? {
        guard
            let row = try await db.raw(
                "DELETE FROM upload_reservations WHERE file_id = \(bind: fileID.lowercased) RETURNING bucket_id, size"
            ).first()
        else { return nil }
        return (try row.decodeUUID(column: "bucket_id"), try row.decode(column: "size", as: Int64.self))
    }

    public func reservedFiles() async throws -> [UUID] {
        try await db.raw("SELECT file_id FROM upload_reservations").all().map { try $0.decodeUUID(column: "file_id") }
    }

    public func updateBucket(_ b: Bucket) async throws {
        try await db.raw(
            """
            UPDATE buckets SET quota_size = \(bind: b.quotaSize), max_file_size = \(bind: b.maxFileSize),
                locked = \(bind: b.locked), public = \(bind: b.isPublic), updated = \(bind: b.updated.micros)
            WHERE id = \(bind: b.id.lowercased)
            """
        ).run()
    }

    public func bucketHoldsData(_ id: UUID) async throws -> Bool {
        let bucket = id.lowercased
        return try await db.raw(
            """
            SELECT 1 AS one FROM object_versions WHERE bucket_id = \(bind: bucket) AND file_id IS NOT NULL
            UNION ALL
            SELECT 1 AS one FROM multipart_uploads WHERE bucket_id = \(bind: bucket) AND version_id IS NULL
            UNION ALL
            SELECT 1 AS one FROM upload_reservations WHERE bucket_id = \(bind: bucket)
            LIMIT 1
            """
        ).first() != nil
    }

    public func deleteBucket(_ id: UUID) async throws {
        let bucket = id.lowercased
        try await db.raw(
            """
            DELETE FROM multipart_parts WHERE upload_id IN (SELECT id FROM multipart_uploads WHERE bucket_id = \(bind: bucket))
            """
        ).run()
        try await db.raw("DELETE FROM multipart_uploads WHERE bucket_id = \(bind: bucket)").run()
        try await db.raw("DELETE FROM object_versions WHERE bucket_id = \(bind: bucket)").run()
        try await db.raw("DELETE FROM buckets WHERE id = \(bind: bucket)").run()
    }

    public func reconcileBucketSizes() async throws -> Int {
        try await db.raw(
            """
            UPDATE buckets SET size = \(unsafeRaw: Self.derivedSize) WHERE size <> \(unsafeRaw: Self.derivedSize)
            RETURNING id
            """
        ).all().count
    }

    /// A bucket's size from first principles: the bytes of every version that has some, plus the reservations of
    /// unfinished multipart uploads and of uploads in flight.
    static let derivedSize = """
        (COALESCE((SELECT CAST(SUM(f.size) AS BIGINT) FROM object_versions v JOIN files f ON f.id = v.file_id
                   WHERE v.bucket_id = buckets.id), 0)
         + COALESCE((SELECT CAST(SUM(u.size) AS BIGINT) FROM multipart_uploads u
                     WHERE u.bucket_id = buckets.id AND u.version_id IS NULL), 0)
         + COALESCE((SELECT CAST(SUM(r.size) AS BIGINT) FROM upload_reservations r WHERE r.bucket_id = buckets.id), 0))
        """

    public func switchBucketLocations(from: String, to: String, bucketID: UUID?) async throws -> Int {
        let only: SQLQueryString = bucketID.map { " AND id = \(bind: $0.lowercased)" } ?? ""
        return try await db.raw(
            "UPDATE buckets SET location = \(bind: to) WHERE location = \(bind: from)\(only) RETURNING id"
        ).all().count
    }

    /// A bucket from the columns of `buckets`, or from those of `bucketColumns` with `prefix` "b_".
    static func bucket(from row: any SQLRow, prefix: String = "") throws -> Bucket {
        Bucket(
            id: try row.decodeUUID(column: prefix + "id"), owner: try row.decode(column: prefix + "owner", as: String?.self),
            location: try row.decode(column: prefix + "location", as: String.self),
            size: try row.decode(column: prefix + "size", as: Int64.self),
            quotaSize: try row.decode(column: prefix + "quota_size", as: Int64?.self),
            maxFileSize: try row.decode(column: prefix + "max_file_size", as: Int64?.self),
            locked: try row.decode(column: prefix + "locked", as: Bool.self),
            isPublic: try row.decode(column: prefix + "public", as: Bool.self),
            created: .micros(try row.decode(column: prefix + "created", as: Int64.self)),
            updated: .micros(try row.decode(column: prefix + "updated", as: Int64.self)))
    }

    static let bucketColumns = """
        b.id AS b_id, b.owner AS b_owner, b.location AS b_location, b.size AS b_size, b.quota_size AS b_quota_size,
        b.max_file_size AS b_max_file_size, b.locked AS b_locked, b.public AS b_public, b.created AS b_created,
        b.updated AS b_updated
        """
}

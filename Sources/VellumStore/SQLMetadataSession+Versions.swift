import Foundation
import SQLKit
import VellumCore

/// `object_versions`.
extension SQLMetadataSession: VersionQueries {
    // `is_head = TRUE` is written literally, never bound: SQLite can then use the partial index of heads when it
    // prepares the statement, instead of preparing it a second time once it sees the bound value.
    public func headVersion(bucketID: UUID, key: ObjectKey) async throws -> ObjectVersion? {
        try await lockBucket(bucketID)
        return try await db.raw(
            """
            \(unsafeRaw: Self.selectVersions)
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND v.key = \(bind: key.value) AND v.is_head = TRUE
            """
        ).first().map(Self.version(from:))
    }

    public func bucketAndHead(bucketID: UUID, key: ObjectKey) async throws -> (Bucket, ObjectVersion?)? {
        try await lockBucket(bucketID)
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.bucketColumns), \(unsafeRaw: Self.versionColumns) FROM buckets b
                LEFT JOIN object_versions v ON v.bucket_id = b.id AND v.key = \(bind: key.value) AND v.is_head = TRUE
                LEFT JOIN files f ON f.id = v.file_id
                WHERE b.id = \(bind: bucketID.lowercased)
                """
            ).first()
        else { return nil }
        let head = try row.decodeNil(column: "version_id") ? nil : try Self.version(from: row)
        return (try Self.bucket(from: row, prefix: "b_"), head)
    }

    public func version(bucketID: UUID, versionID: UUID) async throws -> ObjectVersion? {
        try await lockBucket(bucketID)
        return try await db.raw(
            """
            \(unsafeRaw: Self.selectVersions)
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND v.version_id = \(bind: versionID.lowercased)
            """
        ).first().map(Self.version(from:))
    }

    public func insertHeadVersion(_ version: ObjectVersion) async throws -> ObjectVersion {
        var v = version
        let previous = try await db.raw(
            """
            UPDATE object_versions SET is_head = \(bind: false), updated = \(bind: v.created.micros)
            WHERE bucket_id = \(bind: v.bucketID.lowercased) AND key = \(bind: v.key) AND is_head = TRUE
            RETURNING created
            """
        ).first()?.decode(column: "created", as: Int64.self)
        if let previous, previous >= v.created.micros {
            // Keep versions of a key strictly ordered by creation, even within one clock tick.
            v.created = .micros(previous + 1)
            v.updated = v.created
        }
        let tags = try Self.encodeTags(v.tags)
        try await db.raw(
            """
            INSERT INTO object_versions (version_id, bucket_id, key, file_id, mimetype, is_head, tags, created, updated)
            VALUES (\(bind: v.versionID.lowercased), \(bind: v.bucketID.lowercased), \(bind: v.key), \(bind: v.file?.id.lowercased),
                    \(bind: v.mimetype), \(bind: true), \(bind: tags), \(bind: v.created.micros), \(bind: v.updated.micros))
            """
        ).run()
        return v
    }

    public func deleteVersion(_ versionID: UUID) async throws {
        try await db.raw("DELETE FROM object_versions WHERE version_id = \(bind: versionID.lowercased)").run()
    }

    public func promoteNewestVersion(bucketID: UUID, key: ObjectKey) async throws {
        try await db.raw(
            """
            UPDATE object_versions SET is_head = \(bind: true) WHERE version_id = (
                SELECT version_id FROM object_versions WHERE bucket_id = \(bind: bucketID.lowercased) AND key = \(bind: key.value)
                ORDER BY created DESC, version_id DESC LIMIT 1)
            """
        ).run()
    }

    public func listVersions(_ q: ListQuery) async throws -> [ObjectVersion] {
        var sql = SQLQueryString(Self.selectVersions)
        sql.appendInterpolation(unsafeRaw: " WHERE v.bucket_id = ")
        sql.appendInterpolation(bind: q.bucketID.lowercased)
        if !q.allVersions {
            sql.appendInterpolation(unsafeRaw: " AND v.file_id IS NOT NULL AND v.is_head = TRUE")
        }
        if let prefix = q.prefix, !prefix.isEmpty {
            sql.appendInterpolation(unsafeRaw: " AND v.key >= ")
            sql.appendInterpolation(bind: prefix)
            sql.appendInterpolation(unsafeRaw: " AND substr(v.key, 1, CAST(")
            sql.appendInterpolation(bind: prefix.unicodeScalars.count)  // substr counts code points
            sql.appendInterpolation(unsafeRaw: " AS INTEGER)) = ")
            sql.appendInterpolation(bind: prefix)
        }
        if let afterKey = q.afterKey {
            if q.allVersions, let afterVersion = q.afterVersion,
                let cursor = try await version(bucketID: q.bucketID, versionID: afterVersion), cursor.key == afterKey
            {
                // Versions of one key run newest first: continue with older ones of the same key, then later keys.
                sql.appendInterpolation(unsafeRaw: " AND (v.key > ")
                sql.appendInterpolation(bind: afterKey)
                sql.appendInterpolation(unsafeRaw: " OR (v.key = ")
                sql.appendInterpolation(bind: afterKey)
                sql.appendInterpolation(unsafeRaw: " AND (v.created < ")
                sql.appendInterpolation(bind: cursor.created.micros)
                sql.appendInterpolation(unsafeRaw: " OR (v.created = ")
                sql.appendInterpolation(bind: cursor.created.micros)
                sql.appendInterpolation(unsafeRaw: " AND v.version_id > ")
                sql.appendInterpolation(bind: afterVersion.lowercased)
                sql.appendInterpolation(unsafeRaw: "))))")
            } else {
                sql.appendInterpolation(unsafeRaw: " AND v.key > ")
                sql.appendInterpolation(bind: afterKey)
            }
        }
        sql.appendInterpolation(unsafeRaw: " ORDER BY v.key, v.created DESC, v.version_id LIMIT ")
        sql.appendInterpolation(bind: q.limit)
        return try await db.raw(sql).all().map(Self.version(from:))
    }

    public func headTotals(bucketID: UUID) async throws -> (count: Int, bytes: Int64) {
        let row = try await db.raw(
            """
            SELECT COUNT(*) AS n, CAST(COALESCE(SUM(f.size), 0) AS BIGINT) AS bytes FROM object_versions v JOIN files f ON f.id = v.file_id
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND v.is_head = TRUE
            """
        ).first()
        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "bytes", as: Int64.self) ?? 0)
    }

    public func copyHeadVersions(from: UUID, to: UUID, at date: Date) async throws -> (count: Int, bytes: Int64) {
        let rows = try await db.raw(
            """
            SELECT v.key, v.file_id, v.mimetype, v.tags, f.size FROM object_versions v JOIN files f ON f.id = v.file_id
            WHERE v.bucket_id = \(bind: from.lowercased) AND v.is_head = TRUE
            """
        ).all()
        // In batches of rows per INSERT, well within every database's limit of bound values.
        for start in stride(from: 0, to: rows.count, by: 200) {
            var sql = SQLQueryString(
                "INSERT INTO object_versions (version_id, bucket_id, key, file_id, mimetype, is_head, tags, created, updated) VALUES ")
            for (n, row) in rows[start..<min(start + 200, rows.count)].enumerated() {
                sql.appendInterpolation(unsafeRaw: n == 0 ? "(" : ", (")
                sql.appendInterpolation(bind: UUID().lowercased)
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: to.lowercased)
                for column in ["key", "file_id"] {
                    sql.appendInterpolation(unsafeRaw: ", ")
                    sql.appendInterpolation(bind: try row.decode(column: column, as: String.self))
                }
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: try row.decode(column: "mimetype", as: String?.self))
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: true)
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: try row.decode(column: "tags", as: String.self))
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: date.micros)
                sql.appendInterpolation(unsafeRaw: ", ")
                sql.appendInterpolation(bind: date.micros)
                sql.appendInterpolation(unsafeRaw: ")")
            }
            try await db.raw(sql).run()
        }
        return (rows.count, try rows.reduce(0) { $0 + (try $1.decode(column: "size", as: Int64.self)) })
    }

    public func deleteVersions(bucketID: UUID) async throws -> [FileInstance] {
        let files = try await db.raw(
            """
            SELECT DISTINCT \(unsafeRaw: Self.fileColumns) FROM object_versions v JOIN files f ON f.id = v.file_id
            WHERE v.bucket_id = \(bind: bucketID.lowercased)
            """
        ).all().compactMap(Self.file(from:))
        try await db.raw("DELETE FROM object_versions WHERE bucket_id = \(bind: bucketID.lowercased)").run()
        return files
    }

    static let versionColumns = """
        v.version_id, v.bucket_id, v.key, v.mimetype, v.is_head, v.tags, v.created, v.updated, \(fileColumns)
        """

    static let selectVersions = "SELECT \(versionColumns) FROM object_versions v LEFT JOIN files f ON f.id = v.file_id"

    static func encodeTags(_ tags: [String: String]) throws -> String {
        tags.isEmpty ? "{}" : String(decoding: try JSONEncoder().encode(tags), as: UTF8.self)
    }

    static func decodeTags(_ text: String) -> [String: String] {
        text == "{}" ? [:] : (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    static func version(from row: any SQLRow) throws -> ObjectVersion {
        ObjectVersion(
            versionID: try row.decodeUUID(column: "version_id"), bucketID: try row.decodeUUID(column: "bucket_id"),
            key: try row.decode(column: "key", as: String.self), file: try file(from: row),
            mimetype: try row.decode(column: "mimetype", as: String?.self),
            isHead: try row.decode(column: "is_head", as: Bool.self),
            tags: decodeTags(try row.decode(column: "tags", as: String.self)),
            created: .micros(try row.decode(column: "created", as: Int64.self)),
            updated: .micros(try row.decode(column: "updated", as: Int64.self)))
    }
}

import Foundation
import SQLKit
import VellumCore

/// `MetadataSession` in SQL that SQLite and PostgreSQL both run. UUIDs are TEXT, times are microseconds.
struct SQLMetadataSession: MetadataSession {
    let db: any SQLDatabase
    let dialect: StoreDialect
    /// In a write transaction (see `lockBucket`).
    var writing = false

    func ping() async throws {
        _ = try await db.raw("SELECT 1 AS one").first()
    }

    // MARK: locations

    func locations() async throws -> [Location] {
        try await db.raw("SELECT name, uri, is_default, created FROM locations ORDER BY name").all().map { row in
            Location(
                name: try row.decode(column: "name", as: String.self), uri: try row.decode(column: "uri", as: String.self),
                isDefault: try row.decode(column: "is_default", as: Bool.self),
                created: .micros(try row.decode(column: "created", as: Int64.self)))
        }
    }

    func insertLocation(_ location: Location) async throws {
        try await db.raw(
            """
            INSERT INTO locations (name, uri, is_default, created)
            VALUES (\(bind: location.name), \(bind: location.uri), \(bind: location.isDefault), \(bind: location.created.micros))
            """
        ).run()
    }

    func setDefaultLocation(_ name: String) async throws {
        try await db.raw("UPDATE locations SET is_default = (name = \(bind: name))").run()
    }

    // MARK: tokens

    func insertToken(_ token: TokenRecord) async throws {
        try await db.raw(
            """
            INSERT INTO tokens (id, name, secret_hash, is_admin, created, expires)
            VALUES (\(bind: token.id), \(bind: token.name), \(bind: token.secretHash), \(bind: token.isAdmin),
                    \(bind: token.created.micros), \(bind: token.expires?.micros))
            """
        ).run()
    }

    func token(hash: String) async throws -> TokenRecord? {
        try await db.raw("SELECT * FROM tokens WHERE secret_hash = \(bind: hash)").first().map(Self.token(from:))
    }

    func tokens() async throws -> [TokenRecord] {
        try await db.raw("SELECT * FROM tokens ORDER BY created, id").all().map(Self.token(from:))
    }

    func revokeTokens(named name: String, at date: Date) async throws -> Int {
        try await db.raw(
            "UPDATE tokens SET revoked = \(bind: date.micros) WHERE name = \(bind: name) AND revoked IS NULL RETURNING id"
        ).all().count
    }

    func touchToken(_ id: String, at date: Date) async throws {
        try await db.raw("UPDATE tokens SET last_used = \(bind: date.micros) WHERE id = \(bind: id)").run()
    }

    static func token(from row: any SQLRow) throws -> TokenRecord {
        TokenRecord(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            secretHash: try row.decode(column: "secret_hash", as: String.self),
            isAdmin: try row.decode(column: "is_admin", as: Bool.self),
            created: .micros(try row.decode(column: "created", as: Int64.self)),
            expires: try row.decode(column: "expires", as: Int64?.self).map(Date.micros),
            revoked: try row.decode(column: "revoked", as: Int64?.self).map(Date.micros),
            lastUsed: try row.decode(column: "last_used", as: Int64?.self).map(Date.micros))
    }

    // MARK: buckets

    /// In a write transaction on PostgreSQL, waits for and takes the bucket's row lock, before anything of the
    /// bucket is read (every read of a bucket, a head or a version calls it first): the reads that follow then see what the bucket's previous writer committed (a statement of
    /// a READ COMMITTED transaction sees what committed before it began), so conditional writes, quotas and heads
    /// are decided on current state, one writer of a bucket at a time.
    private func lockBucket(_ id: UUID) async throws {
        guard writing, dialect.locksBuckets else { return }
        try await db.raw("SELECT id FROM buckets WHERE id = \(bind: id.lowercased) FOR UPDATE").run()
    }

    /// Appended to a single-table SELECT of a row that the transaction goes on to change: on PostgreSQL in a write
    /// transaction, the row is locked, and a row changed meanwhile is read as committed.
    var rowLock: String { writing && dialect.locksBuckets ? " FOR UPDATE" : "" }

    func bucket(_ id: UUID) async throws -> Bucket? {
        try await lockBucket(id)
        return try await db.raw("SELECT * FROM buckets WHERE id = \(bind: id.lowercased)").first().map { try Self.bucket(from: $0) }
    }

    func insertBucket(_ b: Bucket) async throws {
        try await db.raw(
            """
            INSERT INTO buckets (id, owner, location, size, quota_size, max_file_size, locked, public, created, updated)
            VALUES (\(bind: b.id.lowercased), \(bind: b.owner), \(bind: b.location), \(bind: b.size), \(bind: b.quotaSize),
                    \(bind: b.maxFileSize), \(bind: b.locked), \(bind: b.isPublic), \(bind: b.created.micros),
                    \(bind: b.updated.micros))
            """
        ).run()
    }

    func addToBucketSize(_ id: UUID, _ delta: Int64, updated: Date) async throws -> Bucket? {
        try await db.raw(
            """
            UPDATE buckets SET size = size + \(bind: delta), updated = \(bind: updated.micros) WHERE id = \(bind: id.lowercased)
            RETURNING *
            """
        ).first().map { try Self.bucket(from: $0) }
    }

    func addReservation(_ fileID: UUID, bucketID: UUID, bytes: Int64, at date: Date) async throws {
        try await db.raw(
            """
            INSERT INTO upload_reservations (file_id, bucket_id, size, created)
            VALUES (\(bind: fileID.lowercased), \(bind: bucketID.lowercased), \(bind: bytes), \(bind: date.micros))
            ON CONFLICT (file_id) DO UPDATE SET size = upload_reservations.size + excluded.size
            """
        ).run()
    }

    func deleteReservation(_ fileID: UUID) async throws -> (bucketID: UUID, bytes: Int64)? {
        guard
            let row = try await db.raw(
                "DELETE FROM upload_reservations WHERE file_id = \(bind: fileID.lowercased) RETURNING bucket_id, size"
            ).first()
        else { return nil }
        return (try row.decodeUUID(column: "bucket_id"), try row.decode(column: "size", as: Int64.self))
    }

    func reservedFiles() async throws -> [UUID] {
        try await db.raw("SELECT file_id FROM upload_reservations").all().map { try $0.decodeUUID(column: "file_id") }
    }

    func updateBucket(_ b: Bucket) async throws {
        try await db.raw(
            """
            UPDATE buckets SET quota_size = \(bind: b.quotaSize), max_file_size = \(bind: b.maxFileSize),
                locked = \(bind: b.locked), public = \(bind: b.isPublic), updated = \(bind: b.updated.micros)
            WHERE id = \(bind: b.id.lowercased)
            """
        ).run()
    }

    func bucketHoldsData(_ id: UUID) async throws -> Bool {
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

    func deleteBucket(_ id: UUID) async throws {
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

    func reconcileBucketSizes() async throws -> Int {
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

    // MARK: files

    func insertFile(_ f: FileInstance) async throws {
        try await db.raw(
            """
            INSERT INTO files (id, location, size, md5, sha256, deleting, last_check_at, last_check, created)
            VALUES (\(bind: f.id.lowercased), \(bind: f.location), \(bind: f.size), \(bind: f.checksums.md5),
                    \(bind: f.checksums.sha256), \(bind: false), \(bind: f.lastCheckAt?.micros), \(bind: f.lastCheck),
                    \(bind: f.created.micros))
            """
        ).run()
    }

    func fileExists(_ id: UUID, in location: String) async throws -> Bool {
        try await db.raw("SELECT id FROM files WHERE id = \(bind: id.lowercased) AND location = \(bind: location)").first() != nil
    }

    func existingFiles(_ ids: [UUID], in location: String) async throws -> Set<UUID> {
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

    func fileReferenceCount(_ id: UUID) async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM object_versions WHERE file_id = \(bind: id.lowercased)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    func markFileDeleting(_ id: UUID) async throws -> [FileInstance] {
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
        return derivatives
    }

    func claimFilesToPurge(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance] {
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

    func deleteFile(_ id: UUID) async throws {
        try await db.raw("DELETE FROM files WHERE id = \(bind: id.lowercased)").run()
    }

    // MARK: versions

    // `is_head = TRUE` is written literally, never bound: SQLite can then use the partial index of heads when it
    // prepares the statement, instead of preparing it a second time once it sees the bound value.
    func headVersion(bucketID: UUID, key: String) async throws -> ObjectVersion? {
        try await lockBucket(bucketID)
        return try await db.raw(
            """
            \(unsafeRaw: Self.selectVersions)
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND v.key = \(bind: key) AND v.is_head = TRUE
            """
        ).first().map(Self.version(from:))
    }

    func bucketAndHead(bucketID: UUID, key: String) async throws -> (Bucket, ObjectVersion?)? {
        try await lockBucket(bucketID)
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.bucketColumns), \(unsafeRaw: Self.versionColumns) FROM buckets b
                LEFT JOIN object_versions v ON v.bucket_id = b.id AND v.key = \(bind: key) AND v.is_head = TRUE
                LEFT JOIN files f ON f.id = v.file_id
                WHERE b.id = \(bind: bucketID.lowercased)
                """
            ).first()
        else { return nil }
        let head = try row.decodeNil(column: "version_id") ? nil : try Self.version(from: row)
        return (try Self.bucket(from: row, prefix: "b_"), head)
    }

    func version(bucketID: UUID, versionID: UUID) async throws -> ObjectVersion? {
        try await lockBucket(bucketID)
        return try await db.raw(
            """
            \(unsafeRaw: Self.selectVersions)
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND v.version_id = \(bind: versionID.lowercased)
            """
        ).first().map(Self.version(from:))
    }

    func insertHeadVersion(_ version: ObjectVersion) async throws -> ObjectVersion {
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

    func deleteVersion(_ versionID: UUID) async throws {
        try await db.raw("DELETE FROM object_versions WHERE version_id = \(bind: versionID.lowercased)").run()
    }

    func promoteNewestVersion(bucketID: UUID, key: String) async throws {
        try await db.raw(
            """
            UPDATE object_versions SET is_head = \(bind: true) WHERE version_id = (
                SELECT version_id FROM object_versions WHERE bucket_id = \(bind: bucketID.lowercased) AND key = \(bind: key)
                ORDER BY created DESC, version_id DESC LIMIT 1)
            """
        ).run()
    }

    func listVersions(_ q: ListQuery) async throws -> [ObjectVersion] {
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
}

extension SQLMetadataSession {
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

    static let fileColumns = """
        f.id AS f_id, f.location AS f_location, f.size AS f_size, f.md5 AS f_md5, f.sha256 AS f_sha256,
        f.last_check_at AS f_last_check_at, f.last_check AS f_last_check, f.created AS f_created
        """

    static let versionColumns = """
        v.version_id, v.bucket_id, v.key, v.mimetype, v.is_head, v.tags, v.created, v.updated, \(fileColumns)
        """

    static let selectVersions = "SELECT \(versionColumns) FROM object_versions v LEFT JOIN files f ON f.id = v.file_id"

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

extension SQLRow {
    func decodeUUID(column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let id = UUID(lowercased: text) ?? UUID(uuidString: text) else {
            throw VellumError(500, "Corrupt identifier in column \(column).")
        }
        return id
    }
}

extension Date {
    var micros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }
    static func micros(_ value: Int64) -> Date { Date(timeIntervalSince1970: Double(value) / 1_000_000) }
}

extension UUID {
    /// Parses the stored form (lowercase, dashed) without going through `sscanf` as `UUID(uuidString:)` does.
    init?(lowercased text: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        var high: UInt8?
        for char in text.utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "-"): continue
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard bytes.count == 16, high == nil, text.utf8.count == 36 else { return nil }
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

import SQLKit
import VellumCore

/// Versioned schema migrations, in SQL that SQLite and PostgreSQL both accept. Append; never edit a shipped step.
enum Schema {
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE locations (name TEXT PRIMARY KEY, uri TEXT NOT NULL, is_default BOOLEAN NOT NULL,
                created BIGINT NOT NULL)
            """,
            """
            CREATE TABLE tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
                is_admin BOOLEAN NOT NULL, created BIGINT NOT NULL)
            """,
            """
            CREATE TABLE buckets (id TEXT PRIMARY KEY, owner TEXT, location TEXT NOT NULL REFERENCES locations(name),
                size BIGINT NOT NULL, quota_size BIGINT, max_file_size BIGINT, locked BOOLEAN NOT NULL,
                public BOOLEAN NOT NULL, created BIGINT NOT NULL, updated BIGINT NOT NULL)
            """,
            """
            CREATE TABLE files (id TEXT PRIMARY KEY, location TEXT NOT NULL REFERENCES locations(name),
                size BIGINT NOT NULL, md5 TEXT NOT NULL, sha256 TEXT NOT NULL, deleting BOOLEAN NOT NULL,
                last_check_at BIGINT, last_check BOOLEAN, created BIGINT NOT NULL)
            """,
            "CREATE INDEX files_deleting ON files (deleting)",
            """
            CREATE TABLE object_versions (version_id TEXT PRIMARY KEY, bucket_id TEXT NOT NULL REFERENCES buckets(id),
                key TEXT NOT NULL, file_id TEXT REFERENCES files(id), mimetype TEXT, is_head BOOLEAN NOT NULL,
                tags TEXT NOT NULL, created BIGINT NOT NULL, updated BIGINT NOT NULL)
            """,
            "CREATE UNIQUE INDEX object_versions_one_head ON object_versions (bucket_id, key) WHERE is_head = TRUE",
            "CREATE INDEX object_versions_by_key ON object_versions (bucket_id, key, created)",
            "CREATE INDEX object_versions_by_file ON object_versions (file_id)",
        ],
        [
            """
            CREATE TABLE multipart_uploads (id TEXT PRIMARY KEY, bucket_id TEXT NOT NULL REFERENCES buckets(id),
                key TEXT NOT NULL, file_id TEXT NOT NULL UNIQUE, location TEXT NOT NULL REFERENCES locations(name),
                size BIGINT NOT NULL, part_size BIGINT NOT NULL, content_type TEXT, tags TEXT NOT NULL, version_id TEXT,
                created BIGINT NOT NULL, updated BIGINT NOT NULL)
            """,
            "CREATE INDEX multipart_uploads_by_bucket ON multipart_uploads (bucket_id, created)",
            "CREATE INDEX multipart_uploads_by_activity ON multipart_uploads (updated)",
            """
            CREATE TABLE multipart_parts (upload_id TEXT NOT NULL REFERENCES multipart_uploads(id),
                part_number BIGINT NOT NULL, size BIGINT NOT NULL, md5 TEXT NOT NULL, sha256 TEXT NOT NULL,
                created BIGINT NOT NULL, updated BIGINT NOT NULL, PRIMARY KEY (upload_id, part_number))
            """,
        ],
        [
            "ALTER TABLE files ADD COLUMN next_check_at BIGINT",
            "ALTER TABLE files ADD COLUMN check_lease_until BIGINT",
            "CREATE INDEX files_next_check ON files (next_check_at)",
            "CREATE INDEX files_failed ON files (id) WHERE last_check = FALSE",
            "CREATE INDEX object_versions_by_bucket_file ON object_versions (bucket_id, file_id)",
            """
            CREATE TABLE fixity_checks (id TEXT PRIMARY KEY, file_id TEXT NOT NULL, run_id TEXT,
                checked_at BIGINT NOT NULL, outcome TEXT NOT NULL, expected_size BIGINT, expected_md5 TEXT,
                expected_sha256 TEXT, actual_size BIGINT, actual_md5 TEXT, actual_sha256 TEXT, detail TEXT,
                duration_us BIGINT NOT NULL, bytes BIGINT NOT NULL)
            """,
            "CREATE INDEX fixity_checks_by_time ON fixity_checks (checked_at, id)",
            "CREATE INDEX fixity_checks_by_file ON fixity_checks (file_id, checked_at)",
            """
            CREATE TABLE fixity_runs (id TEXT PRIMARY KEY, bucket_id TEXT, started BIGINT NOT NULL, finished BIGINT)
            """,
        ],
        [
            // Files made from a file (`pyramid`: the IIIF tiled TIFF), each a file row of its own (so fixity checks
            // it). A row without `derivative_id` is a request: pending, or failed with `error`.
            """
            CREATE TABLE file_derivatives (file_id TEXT NOT NULL REFERENCES files(id), kind TEXT NOT NULL,
                derivative_id TEXT REFERENCES files(id), error TEXT, created BIGINT NOT NULL,
                PRIMARY KEY (file_id, kind))
            """,
            "CREATE INDEX file_derivatives_pending ON file_derivatives (kind, created) WHERE derivative_id IS NULL AND error IS NULL",
            // Images stored before: requested now.
            """
            INSERT INTO file_derivatives (file_id, kind, created)
            SELECT DISTINCT v.file_id, 'pyramid', 0 FROM object_versions v JOIN files f ON f.id = v.file_id
            WHERE NOT f.deleting AND v.mimetype IN \(imageTypesSQL)
            """,
        ],
    ]

    /// The media types a IIIF pyramid is made for, as an SQL list.
    static let imageTypesSQL = "(" + DerivativeKind.pyramidTypes.sorted().map { "'\($0)'" }.joined(separator: ", ") + ")"

    /// Brings the schema up to date, one transaction per step.
    /// `begin` is the dialect's locking BEGIN, so that two processes starting at once do not both migrate.
    static func migrate(_ db: any SQLDatabase, begin: String) async throws {
        try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)").run()
        for (index, statements) in migrations.enumerated() {
            try await db.raw(SQLQueryString(begin)).run()
            do {
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: index + 1)")
                    .first() != nil
                if done {
                    try await db.raw("COMMIT").run()
                    continue
                }
                for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
                try await db.raw("INSERT INTO schema_migrations (version) VALUES (\(bind: index + 1))").run()
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

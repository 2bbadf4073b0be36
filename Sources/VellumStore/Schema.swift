import SQLKit
import VellumCore

/// One statement of a schema step: for both databases (a plain string), or for one of them only.
public enum SchemaStatement: Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    case both(String)
    case postgres(String)
    case sqlite(String)

    public init(stringLiteral value: String) { self = .both(value) }

    func sql(for dialect: StoreDialect) -> String? {
        switch (self, dialect) {
        case (.both(let sql), _), (.postgres(let sql), .postgres), (.sqlite(let sql), .sqlite): sql
        case (.postgres, .sqlite), (.sqlite, .postgres): nil
        }
    }
}

/// A module's tables: its name and its schema steps (numbered from 1), each a list of statements in SQL that
/// SQLite and PostgreSQL both accept unless marked for PostgreSQL. A module appends steps; it never edits a shipped
/// one. The files core's are `files`; an attached module declares its own and the composition root passes it to
/// the store's `open`, which applies the files steps first, then each module's in the order given.
public struct SchemaModule: Sendable {
    public let name: String
    public let steps: [[SchemaStatement]]
    /// The files core's steps are kept in `schema_migrations`, as before modules had steps of their own.
    let isCore: Bool

    public init(name: String, steps: [[SchemaStatement]]) {
        precondition(name != MigrationStatus.core, "'\(MigrationStatus.core)' is the core's schema")
        self.init(name: name, steps: steps, isCore: false)
    }

    private init(name: String, steps: [[SchemaStatement]], isCore: Bool) {
        self.name = name
        self.steps = steps
        self.isCore = isCore
    }

    static let files = SchemaModule(name: MigrationStatus.core, steps: Schema.migrations, isCore: true)
}

/// The files core's schema steps, and the migration of every module's. Append; never edit a shipped step.
enum Schema {
    static let migrations: [[SchemaStatement]] = [
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
        [
            // Keys sort by code point, as SQLite's BINARY collation sorts them, whatever the database's locale.
            .postgres(#"ALTER TABLE object_versions ALTER COLUMN key TYPE TEXT COLLATE "C""#),
            .postgres(#"ALTER TABLE multipart_uploads ALTER COLUMN key TYPE TEXT COLLATE "C""#),
        ],
        [
            // Who deletes a deleted file's bytes: the request that marked it for a minute, then whichever
            // daemon's maintenance claims it (until the lease ends).
            "ALTER TABLE files ADD COLUMN purge_lease_until BIGINT"
        ],
        [
            // A location's files in id order, for migrations between locations, and the lease that lets one
            // migration run at a time.
            "CREATE INDEX files_location ON files (location, id)",
            "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until BIGINT NOT NULL)",
        ],
        [
            // Tokens that end: at a time set when made, or when revoked; and when each was last used.
            "ALTER TABLE tokens ADD COLUMN expires BIGINT",
            "ALTER TABLE tokens ADD COLUMN revoked BIGINT",
            "ALTER TABLE tokens ADD COLUMN last_used BIGINT",
            // Bytes that uploads in flight hold in their bucket's size (so in its quota), by the blob they write.
            """
            CREATE TABLE upload_reservations (file_id TEXT PRIMARY KEY, bucket_id TEXT NOT NULL REFERENCES buckets(id),
                size BIGINT NOT NULL, created BIGINT NOT NULL)
            """,
            "CREATE INDEX upload_reservations_by_bucket ON upload_reservations (bucket_id)",
            // Derivatives whose making failed for a passing reason are tried again later, less and less often.
            "ALTER TABLE file_derivatives ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE file_derivatives ADD COLUMN next_attempt BIGINT",
            "ALTER TABLE file_derivatives ADD COLUMN last_error TEXT",
        ],
        [
            // What each background worker of each daemon is doing (`WorkerRunner`), and its checkpoint.
            """
            CREATE TABLE workers (name TEXT NOT NULL, holder TEXT NOT NULL, state TEXT NOT NULL,
                interval_micros BIGINT NOT NULL, passes BIGINT NOT NULL, items BIGINT NOT NULL, last_started BIGINT,
                last_finished BIGINT, last_error TEXT, checkpoint TEXT, updated BIGINT NOT NULL,
                PRIMARY KEY (name, holder))
            """
        ],
        [
            // Leased jobs (`JobQueries`): one row per kind and subject, due, claimed by a holder until a time.
            """
            CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT,
                state TEXT NOT NULL, due BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
                version BIGINT NOT NULL DEFAULT 1, holder TEXT, lease_until BIGINT, last_error TEXT,
                created BIGINT NOT NULL, UNIQUE (kind, subject))
            """,
            "CREATE INDEX jobs_due ON jobs (kind, due) WHERE state = 'due'",
        ],
        [
            // Derivatives asked for are jobs (`DerivativeKind.jobKind`, subject the file's id), which carry their
            // claims, retries and failures: those asked for and not made yet move there (the only kind so far is
            // `pyramid`, so the file's id is a unique job id), and `file_derivatives` keeps requests and results.
            """
            INSERT INTO jobs (id, kind, subject, state, due, attempts, last_error, created)
            SELECT file_id, 'derivative:pyramid', file_id, CASE WHEN error IS NULL THEN 'due' ELSE 'failed' END,
                COALESCE(next_attempt, created), attempts, COALESCE(error, last_error), created
            FROM file_derivatives WHERE kind = 'pyramid' AND derivative_id IS NULL
            """,
            "CREATE INDEX jobs_subject ON jobs (subject)",
            "DROP INDEX file_derivatives_pending",
            "ALTER TABLE file_derivatives DROP COLUMN error",
            "ALTER TABLE file_derivatives DROP COLUMN attempts",
            "ALTER TABLE file_derivatives DROP COLUMN next_attempt",
            "ALTER TABLE file_derivatives DROP COLUMN last_error",
        ],
        [
            // Derivatives are made for files in S3 locations too now: the jobs refused for that reason run again.
            """
            UPDATE jobs SET state = 'due', due = 0, attempts = 0, last_error = NULL
            WHERE state = 'failed' AND kind LIKE 'derivative:%'
                AND last_error LIKE 'Derivatives are made for files in local locations only.%'
            """
        ],
    ]

    /// The media types a IIIF pyramid was made for when step 4 shipped, as an SQL list (frozen with the step; the
    /// producer's own list is `PyramidProducer.imageTypes`).
    static let imageTypesSQL =
        "('image/avif', 'image/gif', 'image/heic', 'image/heif', 'image/jp2', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp')"

    /// Brings the schema of the files core and of `modules` up to date, one transaction per step, each begun with
    /// the dialect's locking BEGIN so that two processes starting at once do not both migrate. The files core's
    /// applied steps are kept in `schema_migrations` (as before modules had steps), the others' in
    /// `module_migrations`.
    static func migrate(_ db: any SQLDatabase, dialect: StoreDialect, modules: [SchemaModule] = []) async throws {
        for module in [SchemaModule.files] + modules {
            for (index, statements) in module.steps.enumerated() {
                for statement in dialect.lockedBegin { try await db.raw(SQLQueryString(statement)).run() }
                do {
                    if try await !applied(module, db).contains(index + 1) {
                        for case let sql? in statements.map({ $0.sql(for: dialect) }) { try await db.raw(SQLQueryString(sql)).run() }
                        if module.isCore {
                            try await db.raw("INSERT INTO schema_migrations (version) VALUES (\(bind: index + 1))").run()
                        } else {
                            try await db.raw("INSERT INTO module_migrations (module, version) VALUES (\(bind: module.name), \(bind: index + 1))")
                                .run()
                        }
                    }
                    try await db.raw("COMMIT").run()
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// The steps of `module` a database has applied.
    private static func applied(_ module: SchemaModule, _ db: any SQLDatabase) async throws -> [Int] {
        let rows: [SQLRow]
        if module.isCore {
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)").run()
            rows = try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all()
        } else {
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS module_migrations (module TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (module, version))"
            ).run()
            rows = try await db.raw("SELECT version FROM module_migrations WHERE module = \(bind: module.name) ORDER BY version").all()
        }
        return try rows.map { try $0.decode(column: "version", as: Int.self) }
    }

    /// The steps a database has applied and those this build knows, for the files core and each of `modules`.
    static func status(_ db: any SQLDatabase, modules: [SchemaModule] = []) async throws -> [MigrationStatus] {
        var statuses: [MigrationStatus] = []
        for module in [SchemaModule.files] + modules {
            statuses.append(MigrationStatus(module: module.name, applied: try await applied(module, db), known: module.steps.count))
        }
        return statuses
    }
}

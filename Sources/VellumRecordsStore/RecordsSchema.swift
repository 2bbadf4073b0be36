import VellumStore

/// The records' tables, a schema module of their own (registered in `Runtime.schemas`). Append steps; never edit a
/// shipped one.
public enum RecordsSchema {
    public static let module = SchemaModule(
        name: "records",
        steps: [
            [
                // Record and concept ids come from one counter, so they never meet and are never given twice.
                "CREATE TABLE record_counter (name TEXT PRIMARY KEY, last BIGINT NOT NULL)",
                "INSERT INTO record_counter (name, last) VALUES ('records', 0)",
                """
                CREATE TABLE records (id BIGINT PRIMARY KEY, concept_id BIGINT NOT NULL, status TEXT NOT NULL,
                    revision INTEGER NOT NULL, owner TEXT, bucket_id TEXT NOT NULL, document TEXT NOT NULL,
                    created BIGINT NOT NULL, updated BIGINT NOT NULL)
                """,
                "CREATE INDEX records_concept ON records (concept_id)",
                """
                CREATE TABLE record_revisions (record_id BIGINT NOT NULL, revision INTEGER NOT NULL,
                    created BIGINT NOT NULL, actor TEXT, hash TEXT NOT NULL, document TEXT NOT NULL,
                    PRIMARY KEY (record_id, revision))
                """,
            ],
            [
                // A concept's versions are numbered from 1 as they are created, so it has one draft at a time.
                "ALTER TABLE records ADD COLUMN version_index INTEGER NOT NULL DEFAULT 1",
                "ALTER TABLE records ADD COLUMN is_latest BOOLEAN NOT NULL DEFAULT FALSE",
                "UPDATE records SET is_latest = TRUE WHERE status = 'published'",
                "CREATE UNIQUE INDEX records_concept_version ON records (concept_id, version_index)",
                "ALTER TABLE records ADD COLUMN tombstone TEXT",
                // The day a published record's embargo lifts, until the embargo worker has opened its files.
                "ALTER TABLE records ADD COLUMN embargo_until TEXT",
                "CREATE INDEX records_embargo ON records (embargo_until)",
                "CREATE TABLE record_schemas (name TEXT PRIMARY KEY, body TEXT NOT NULL, created BIGINT NOT NULL)",
            ],
            [
                // PIDs (api.md §8): a row per scheme and value, kept for good (a deleted PID is never given again).
                """
                CREATE TABLE pids (scheme TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL, object_type TEXT NOT NULL,
                    object_id BIGINT NOT NULL, redirect_scheme TEXT, redirect_value TEXT, created BIGINT NOT NULL,
                    updated BIGINT NOT NULL, PRIMARY KEY (scheme, value))
                """,
                "CREATE INDEX pids_object ON pids (object_type, object_id)",
                """
                CREATE TABLE pid_events (scheme TEXT NOT NULL, value TEXT NOT NULL, at BIGINT NOT NULL, event TEXT NOT NULL,
                    detail TEXT)
                """,
                "CREATE INDEX pid_events_pid ON pid_events (scheme, value, at)",
                // What DataCite must be told: a DOI per row until it is done (the DOI worker's outbox).
                """
                CREATE TABLE doi_tasks (doi TEXT PRIMARY KEY, state TEXT NOT NULL, due BIGINT NOT NULL,
                    attempts INTEGER NOT NULL, last_error TEXT, generation INTEGER NOT NULL)
                """,
                "CREATE INDEX doi_tasks_due ON doi_tasks (state, due)",
                // A download finds the record of its bucket (signposting).
                "CREATE INDEX records_bucket ON records (bucket_id)",
                // Every record so far has its recids: published ones registered, drafts reserved, removed ones deleted.
                """
                INSERT INTO pids (scheme, value, status, object_type, object_id, created, updated)
                SELECT 'recid', CAST(id AS TEXT), CASE status WHEN 'published' THEN 'registered' WHEN 'draft' THEN 'reserved'
                    ELSE 'deleted' END, 'record', id, created, updated FROM records
                """,
                """
                INSERT INTO pids (scheme, value, status, object_type, object_id, created, updated)
                SELECT 'recid', CAST(concept_id AS TEXT), CASE WHEN MAX(CASE status WHEN 'published' THEN 1 ELSE 0 END) = 1
                    THEN 'registered' ELSE 'reserved' END, 'concept', concept_id, MIN(created), MAX(updated)
                FROM records GROUP BY concept_id
                """,
            ],
            [
                // Search (api.md §9): a row per published record, written in the transaction that changes the record
                // (SQLMetadataSession+Search.swift); the texts in FTS5 on SQLite, in a tsvector on PostgreSQL. Records
                // from before are indexed at the daemon's start (RecordsService.ensureSearchIndex).
                """
                CREATE TABLE search_docs (id BIGINT PRIMARY KEY, concept_id BIGINT NOT NULL, is_latest BOOLEAN NOT NULL,
                    owner TEXT, public_from BIGINT, resource_type TEXT, license TEXT, publication_day TEXT, year INTEGER,
                    title TEXT NOT NULL, title_sort TEXT NOT NULL, description TEXT NOT NULL, created BIGINT NOT NULL,
                    updated BIGINT NOT NULL)
                """,
                "CREATE INDEX search_docs_concept ON search_docs (concept_id)",
                "CREATE INDEX search_docs_created ON search_docs (created)",
                "CREATE TABLE search_keywords (id BIGINT NOT NULL, keyword TEXT NOT NULL, PRIMARY KEY (id, keyword))",
                "CREATE INDEX search_keywords_keyword ON search_keywords (keyword, id)",
                .sqlite(
                    """
                    CREATE VIRTUAL TABLE search_text USING fts5(title, creators, description, keywords,
                        tokenize = 'unicode61 remove_diacritics 2')
                    """),
                // Texts folded (case, accents) by Vellum before PostgreSQL's 'simple' configuration splits them: one
                // tsvector per field, and all of them together under the GIN index.
                .postgres(
                    """
                    ALTER TABLE search_docs ADD COLUMN tsv tsvector NOT NULL, ADD COLUMN tsv_title tsvector NOT NULL,
                        ADD COLUMN tsv_creators tsvector NOT NULL, ADD COLUMN tsv_description tsvector NOT NULL,
                        ADD COLUMN tsv_keywords tsvector NOT NULL
                    """),
                .postgres("CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv)"),
            ],
            // An owner's drafts (`GET /records?status=draft`).
            ["CREATE INDEX records_owner_status ON records (owner, status, updated)"],
            [
                // What an index outside the database (OpenSearch) has still to hear: a row per record changed since
                // (written with the change, in its transaction), taken by a daemon for a while (`claimed_until`), and
                // removed once sent unless the record changed again meanwhile (`seq`).
                "CREATE TABLE search_outbox (record_id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, claimed_until BIGINT NOT NULL DEFAULT 0)"
            ],
            [
                // A field query (`title:word`) on PostgreSQL read every row without these (benchmarks/search.sh: 3
                // searches a second over 100,000 records).
                .postgres("CREATE INDEX search_docs_tsv_title ON search_docs USING GIN (tsv_title)"),
                .postgres("CREATE INDEX search_docs_tsv_creators ON search_docs USING GIN (tsv_creators)"),
                .postgres("CREATE INDEX search_docs_tsv_description ON search_docs USING GIN (tsv_description)"),
                .postgres("CREATE INDEX search_docs_tsv_keywords ON search_docs USING GIN (tsv_keywords)"),
            ],
            [
                // OAI-PMH (api.md §10): a row per record harvesters may see, from when it is (`public_from`, an
                // embargo's end) or was public; kept as a deleted header once the record is removed or no longer
                // public (`sets`: the named sets it was in then). Written with every record change, in its
                // transaction (SQLMetadataSession+OAI.swift). Published records from before come from the search
                // index.
                """
                CREATE TABLE oai_items (record_id BIGINT PRIMARY KEY, datestamp BIGINT NOT NULL, public_from BIGINT NOT NULL,
                    deleted BOOLEAN NOT NULL, resource_type TEXT, sets TEXT NOT NULL)
                """,
                "CREATE INDEX oai_items_datestamp ON oai_items (datestamp)",
                """
                INSERT INTO oai_items (record_id, datestamp, public_from, deleted, resource_type, sets)
                SELECT id, CASE WHEN public_from > updated THEN public_from ELSE updated END, public_from, FALSE, resource_type, ''
                FROM search_docs WHERE public_from IS NOT NULL
                """,
                "CREATE TABLE oai_sets (spec TEXT PRIMARY KEY, name TEXT NOT NULL, query TEXT NOT NULL)",
                // The key resumption tokens are signed with, made by the first daemon that needs it.
                "CREATE TABLE oai_keys (name TEXT PRIMARY KEY, key TEXT NOT NULL)",
            ],
        ])
}

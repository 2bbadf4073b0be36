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
            ]
        ])
}

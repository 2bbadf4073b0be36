/// What differs between SQLite's SQL and PostgreSQL's where Vellum uses it; everything else is written once.
public enum StoreDialect: Sendable {
    case sqlite
    case postgres

    /// Opens a transaction that no other process can run beside it (schema migrations): SQLite takes the write
    /// lock, PostgreSQL an advisory lock that the transaction holds until it ends.
    var lockedBegin: [String] {
        switch self {
        case .sqlite: ["BEGIN IMMEDIATE"]
        case .postgres: ["BEGIN", "SELECT pg_advisory_xact_lock(\(Self.migrationLock))"]
        }
    }

    /// Appended to a SELECT of `files f` that claims rows for work in a write transaction: on PostgreSQL the rows
    /// are locked and rows another daemon is claiming are skipped; SQLite has one writer, which needs neither.
    var claimFiles: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE OF f SKIP LOCKED"
        }
    }

    /// Appended to a SELECT that claims rows of one table (jobs) in a write transaction, as `claimFiles`.
    var claimRows: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// Whether a write transaction locks a bucket's row before it reads the bucket: PostgreSQL's writers run side by
    /// side, and this makes those of one bucket run one after the other (SQLite's single writer does that already).
    var locksBuckets: Bool { self == .postgres }

    /// The advisory lock key of schema migrations ("vellum" in ASCII).
    static let migrationLock = 0x7665_6c6c_756d
}

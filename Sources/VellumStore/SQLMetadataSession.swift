import Foundation
import SQLKit
import VellumCore

/// `MetadataSession` in SQL that SQLite and PostgreSQL both run, one file per aggregate (`SQLMetadataSession+*.swift`).
/// UUIDs are TEXT, times are microseconds. Public so that an attached module's store target can add its own query
/// protocol to it (`extension SQLMetadataSession: RecordQueries`), run in the same transactions; its services reach
/// them with `session.queries(RecordQueries.self)`.
public struct SQLMetadataSession: MetadataSession {
    /// The transaction's connection.
    public let db: any SQLDatabase
    public let dialect: StoreDialect
    /// In a write transaction (see `lockBucket`).
    var writing = false

    init(db: any SQLDatabase, dialect: StoreDialect, writing: Bool = false) {
        self.db = db
        self.dialect = dialect
        self.writing = writing
    }

    public func ping() async throws {
        _ = try await db.raw("SELECT 1 AS one").first()
    }

    /// In a write transaction on PostgreSQL, waits for and takes the bucket's row lock, before anything of the
    /// bucket is read (every read of a bucket, a head or a version calls it first): the reads that follow then see
    /// what the bucket's previous writer committed (a statement of a READ COMMITTED transaction sees what committed
    /// before it began), so conditional writes, quotas and heads are decided on current state, one writer of a
    /// bucket at a time.
    func lockBucket(_ id: UUID) async throws {
        guard writing, dialect.locksBuckets else { return }
        try await db.raw("SELECT id FROM buckets WHERE id = \(bind: id.lowercased) FOR UPDATE").run()
    }

    /// Appended to a single-table SELECT of a row that the transaction goes on to change: on PostgreSQL in a write
    /// transaction, the row is locked, and a row changed meanwhile is read as committed.
    public var rowLock: String { writing && dialect.locksBuckets ? " FOR UPDATE" : "" }
}

extension SQLRow {
    func decodeUUID(column: String) throws -> UUID {
        let text = try decode(column: column, as: String.self)
        guard let id = UUID(lowercased: text) ?? UUID(uuidString: text) else {
            throw StorageError(.failure, "Corrupt identifier in column \(column).")
        }
        return id
    }
}

/// Times are stored as microseconds since 1970 (modules' tables too).
extension Date {
    public var micros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }
    public static func micros(_ value: Int64) -> Date { Date(timeIntervalSince1970: Double(value) / 1_000_000) }
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

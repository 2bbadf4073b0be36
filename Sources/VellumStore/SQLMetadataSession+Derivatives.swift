import Foundation
import SQLKit
import VellumCore

extension SQLMetadataSession: DerivativeQueries {
    public func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws {
        try await db.raw(
            """
            INSERT INTO file_derivatives (file_id, kind, created)
            VALUES (\(bind: fileID.lowercased), \(bind: kind.rawValue), \(bind: date.micros))
            ON CONFLICT DO NOTHING
            """
        ).run()
    }

    public func pendingDerivatives(_ kind: DerivativeKind, due now: Date, limit: Int) async throws -> [FileInstance] {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.file_id
            WHERE d.kind = \(bind: kind.rawValue) AND d.derivative_id IS NULL AND d.error IS NULL AND NOT f.deleting
                AND (d.next_attempt IS NULL OR d.next_attempt <= \(bind: now.micros))
            ORDER BY d.created LIMIT \(bind: limit)
            """
        ).all().compactMap(Self.file(from:))
    }

    public func saveDerivative(_ kind: DerivativeKind, of fileID: UUID, _ derivative: FileInstance) async throws {
        try await insertFile(derivative)
        // Still asked for, and not made meanwhile by another daemon (which would leave this copy unreferenced).
        let asked = try await db.raw(
            """
            SELECT d.file_id FROM file_derivatives d JOIN files f ON f.id = d.file_id
            WHERE d.file_id = \(bind: fileID.lowercased) AND d.kind = \(bind: kind.rawValue) AND NOT f.deleting
                AND d.derivative_id IS NULL\(unsafeRaw: rowLock.isEmpty ? "" : rowLock + " OF d")
            """
        ).first()
        guard asked != nil else {
            try await markFileDeleting(derivative.id)
            return
        }
        try await db.raw(
            """
            UPDATE file_derivatives SET derivative_id = \(bind: derivative.id.lowercased), error = NULL
            WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)
            """
        ).run()
    }

    public func failDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String) async throws {
        try await db.raw(
            """
            UPDATE file_derivatives SET error = \(bind: error)
            WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)
            """
        ).run()
    }

    public func retryDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String, after delay: (Int) -> TimeInterval)
        async throws
    {
        let attempts =
            try await db.raw(
                """
                SELECT attempts FROM file_derivatives
                WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)\(unsafeRaw: rowLock)
                """
            ).first()?.decode(column: "attempts", as: Int.self) ?? 0
        try await db.raw(
            """
            UPDATE file_derivatives SET attempts = \(bind: attempts + 1), last_error = \(bind: error),
                next_attempt = \(bind: Date(timeIntervalSinceNow: delay(attempts + 1)).micros)
            WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)
            """
        ).run()
    }

    public func failedDerivatives(limit: Int) async throws -> [DerivativeFailure] {
        try await db.raw(
            """
            SELECT d.file_id, d.kind, d.error, d.last_error, d.attempts, d.next_attempt,
                (SELECT v.bucket_id FROM object_versions v WHERE v.file_id = d.file_id ORDER BY v.created LIMIT 1) AS bucket_id,
                (SELECT v.key FROM object_versions v WHERE v.file_id = d.file_id ORDER BY v.created LIMIT 1) AS key
            FROM file_derivatives d
            WHERE d.derivative_id IS NULL AND (d.error IS NOT NULL OR d.last_error IS NOT NULL)
            ORDER BY d.file_id, d.kind LIMIT \(bind: limit)
            """
        ).all().map { row in
            let permanent = try row.decode(column: "error", as: String?.self)
            let passing = try row.decode(column: "last_error", as: String?.self)
            return DerivativeFailure(
                fileID: try row.decodeUUID(column: "file_id"),
                kind: DerivativeKind(rawValue: try row.decode(column: "kind", as: String.self)),
                bucketID: try row.decode(column: "bucket_id", as: String?.self).flatMap { UUID(uuidString: $0) },
                key: try row.decode(column: "key", as: String?.self),
                error: permanent ?? passing ?? "",
                attempts: try row.decode(column: "attempts", as: Int.self),
                nextAttempt: permanent != nil ? nil : try row.decode(column: "next_attempt", as: Int64?.self).map(Date.micros))
        }
    }

    public func derivative(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.derivative_id
            WHERE d.file_id = \(bind: fileID.lowercased) AND d.kind = \(bind: kind.rawValue) AND NOT f.deleting
            """
        ).first().flatMap(Self.file(from:))
    }
}

import Foundation
import SQLKit
import VellumCore

extension SQLMetadataSession: DerivativeQueries {
    public func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws -> Bool {
        try await !db.raw(
            """
            INSERT INTO file_derivatives (file_id, kind, created)
            VALUES (\(bind: fileID.lowercased), \(bind: kind.rawValue), \(bind: date.micros))
            ON CONFLICT DO NOTHING RETURNING file_id
            """
        ).all().isEmpty
    }

    public func derivativeSource(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.file_id
            WHERE d.file_id = \(bind: fileID.lowercased) AND d.kind = \(bind: kind.rawValue) AND d.derivative_id IS NULL
                AND NOT f.deleting
            """
        ).first().flatMap(Self.file(from:))
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
            _ = try await markFileDeleting(derivative.id)
            return
        }
        try await db.raw(
            """
            UPDATE file_derivatives SET derivative_id = \(bind: derivative.id.lowercased)
            WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)
            """
        ).run()
    }

    public func failedDerivatives(limit: Int) async throws -> [DerivativeFailure] {
        try await db.raw(
            """
            SELECT d.file_id, d.kind, j.state, j.last_error, j.attempts, j.due,
                (SELECT v.bucket_id FROM object_versions v WHERE v.file_id = d.file_id ORDER BY v.created LIMIT 1) AS bucket_id,
                (SELECT v.key FROM object_versions v WHERE v.file_id = d.file_id ORDER BY v.created LIMIT 1) AS key
            FROM jobs j JOIN file_derivatives d ON j.subject = d.file_id AND j.kind = \(bind: DerivativeKind.jobPrefix) || d.kind
            WHERE j.last_error IS NOT NULL AND d.derivative_id IS NULL
            ORDER BY d.file_id, d.kind LIMIT \(bind: limit)
            """
        ).all().map { row in
            let retrying = try row.decode(column: "state", as: String.self) == Job.State.due.rawValue
            return DerivativeFailure(
                fileID: try row.decodeUUID(column: "file_id"),
                kind: DerivativeKind(rawValue: try row.decode(column: "kind", as: String.self)),
                bucketID: try row.decode(column: "bucket_id", as: String?.self).flatMap { UUID(uuidString: $0) },
                key: try row.decode(column: "key", as: String?.self),
                error: try row.decode(column: "last_error", as: String?.self) ?? "",
                attempts: try row.decode(column: "attempts", as: Int.self),
                nextAttempt: retrying ? .micros(try row.decode(column: "due", as: Int64.self)) : nil)
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

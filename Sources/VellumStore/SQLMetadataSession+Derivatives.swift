import Foundation
import SQLKit
import VellumCore

extension SQLMetadataSession {
    func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws {
        try await db.raw(
            """
            INSERT INTO file_derivatives (file_id, kind, created)
            VALUES (\(bind: fileID.lowercased), \(bind: kind.rawValue), \(bind: date.micros))
            ON CONFLICT DO NOTHING
            """
        ).run()
    }

    func pendingDerivatives(_ kind: DerivativeKind, limit: Int) async throws -> [FileInstance] {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.file_id
            WHERE d.kind = \(bind: kind.rawValue) AND d.derivative_id IS NULL AND d.error IS NULL AND NOT f.deleting
            ORDER BY d.created LIMIT \(bind: limit)
            """
        ).all().compactMap(Self.file(from:))
    }

    func saveDerivative(_ kind: DerivativeKind, of fileID: UUID, _ derivative: FileInstance) async throws {
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

    func failDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String) async throws {
        try await db.raw(
            """
            UPDATE file_derivatives SET error = \(bind: error)
            WHERE file_id = \(bind: fileID.lowercased) AND kind = \(bind: kind.rawValue)
            """
        ).run()
    }

    func derivative(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM file_derivatives d JOIN files f ON f.id = d.derivative_id
            WHERE d.file_id = \(bind: fileID.lowercased) AND d.kind = \(bind: kind.rawValue) AND NOT f.deleting
            """
        ).first().flatMap(Self.file(from:))
    }
}

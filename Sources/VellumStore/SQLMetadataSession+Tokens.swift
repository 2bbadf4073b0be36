import Foundation
import SQLKit
import VellumCore

/// `tokens`.
extension SQLMetadataSession: TokenQueries {
    public func insertToken(_ token: TokenRecord) async throws {
        try await db.raw(
            """
            INSERT INTO tokens (id, name, secret_hash, is_admin, created, expires)
            VALUES (\(bind: token.id), \(bind: token.name), \(bind: token.secretHash), \(bind: token.isAdmin),
                    \(bind: token.created.micros), \(bind: token.expires?.micros))
            """
        ).run()
    }

    public func token(hash: String) async throws -> TokenRecord? {
        try await db.raw("SELECT * FROM tokens WHERE secret_hash = \(bind: hash)").first().map(Self.token(from:))
    }

    public func tokens() async throws -> [TokenRecord] {
        try await db.raw("SELECT * FROM tokens ORDER BY created, id").all().map(Self.token(from:))
    }

    public func revokeTokens(named name: String, at date: Date) async throws -> Int {
        try await db.raw(
            "UPDATE tokens SET revoked = \(bind: date.micros) WHERE name = \(bind: name) AND revoked IS NULL RETURNING id"
        ).all().count
    }

    public func touchToken(_ id: String, at date: Date) async throws {
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
}

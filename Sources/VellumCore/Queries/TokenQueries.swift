import Foundation

/// API tokens (`tokens`): only hashes of their secrets.
public protocol TokenQueries {
    func insertToken(_ token: TokenRecord) async throws

    func token(hash: String) async throws -> TokenRecord?

    /// Every token, revoked and expired ones too, oldest first.
    func tokens() async throws -> [TokenRecord]

    /// Revokes the tokens called `name` that are not revoked yet; returns how many.
    func revokeTokens(named name: String, at date: Date) async throws -> Int

    /// Records that a token was used at `date`.
    func touchToken(_ id: String, at date: Date) async throws
}

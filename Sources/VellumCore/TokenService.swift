import Crypto
import Foundation
import Synchronization

/// Issues, lists and revokes API tokens and resolves bearer secrets to principals. Only SHA-256 hashes of secrets
/// are stored. A revocation or an expiry takes effect on the next request in every daemon sharing the database:
/// each request reads its token's row, unless the store has a `TokenChanges` mark that has not changed since this
/// process last read that row (a revocation changes it before and after its commit); expiry is checked every time.
public struct TokenService: Sendable {
    /// The shortest bootstrap secret accepted (`VELLUM_BOOTSTRAP_TOKEN`): it becomes an admin token.
    public static let minimumBootstrapLength = 16

    let store: any MetadataStore
    private let usage = TokenUsage()
    private let known = KnownTokens()

    public init(store: any MetadataStore) {
        self.store = store
    }

    /// Creates a token and returns its secret, which is shown once and never stored. Names are unique among tokens
    /// that are not revoked (`revoke` goes by name).
    public func create(name: String, isAdmin: Bool, expires: Date? = nil) async throws -> (record: TokenRecord, secret: String) {
        let secret = "vlm_" + Self.randomBytes(32).base64URL
        let record = try await insert(name: name, secret: secret, isAdmin: isAdmin, expires: expires)
        return (record, secret)
    }

    /// Ensures an admin token with exactly this secret exists (`VELLUM_BOOTSTRAP_TOKEN`); a bootstrap token that was
    /// revoked stays revoked. Secrets shorter than `minimumBootstrapLength` are refused.
    public func ensureBootstrap(secret: String) async throws {
        guard secret.count >= Self.minimumBootstrapLength else {
            throw ConfigurationError(
                "VELLUM_BOOTSTRAP_TOKEN must be at least \(Self.minimumBootstrapLength) characters long: it becomes an admin token.")
        }
        if try await store.read({ try await $0.token(hash: Self.hash(secret)) }) == nil {
            _ = try await insert(name: "bootstrap", secret: secret, isAdmin: true, expires: nil, unique: false)
        }
    }

    /// Every token, oldest first (secrets are never kept, so never shown).
    public func list() async throws -> [TokenRecord] {
        try await store.read { try await $0.tokens() }
    }

    /// Revokes the tokens called `name`; 404 when there is none to revoke.
    public func revoke(name: String) async throws {
        // Before (so that no process can go on trusting the row once it is revoked, should the second change
        // fail) and after (a process may have read the row between the first change and the commit).
        try store.tokenChanges?.change()
        let revoked = try await store.write { try await $0.revokeTokens(named: name, at: Date()) }
        try store.tokenChanges?.change()
        guard revoked > 0 else { throw FilesError(.notFound, "No token called '\(name)' is in use.") }
    }

    /// The principal for an `Authorization` header value; anonymous when absent, 401 when unknown, revoked or
    /// expired.
    public func authenticate(authorization: String?) async throws -> Principal {
        guard let authorization else { return .anonymous }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw FilesError.invalidToken }
        let hash = Self.hash(parts[1].trimmingCharacters(in: .whitespaces))
        // The lookup is by hash (a preimage-resistant index reveals nothing useful through timing); the final
        // comparison is constant-time anyway.
        let now = Date()
        let mark = store.tokenChanges?.mark()
        var record = mark.flatMap { known.record(hash, mark: $0) }
        if record == nil {
            record = try await store.read { try await $0.token(hash: hash) }
            if let mark, let record { known.keep(record, mark: mark) }
        }
        guard let record, Self.constantTimeEqual(record.secretHash, hash), record.isValid(at: now) else {
            throw FilesError.invalidToken
        }
        if usage.shouldRecord(record.id, at: now) {
            // Best effort, off the request's path: a lost update only makes `last_used` a little older.
            Task { [store] in try? await store.write { try await $0.touchToken(record.id, at: now) } }
        }
        return Principal(tokenID: record.id, isAdmin: record.isAdmin)
    }

    private func insert(name: String, secret: String, isAdmin: Bool, expires: Date?, unique: Bool = true)
        async throws -> TokenRecord
    {
        let record = TokenRecord(
            id: Self.randomBytes(8).hexString, name: name, secretHash: Self.hash(secret), isAdmin: isAdmin,
            created: Date(), expires: expires)
        try await store.write { session in
            if unique, try await session.tokens().contains(where: { $0.name == name && $0.revoked == nil }) {
                throw FilesError(.conflict, "A token called '\(name)' exists; revoke it first or choose another name.")
            }
            try await session.insertToken(record)
        }
        return record
    }

    static func hash(_ secret: some StringProtocol) -> String {
        SHA256.hash(data: Array(secret.utf8)).hexString
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

extension Array where Element == UInt8 {
    /// Unpadded base64url (RFC 4648 §5).
    public var base64URL: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// The token rows this process read, with the `TokenChanges` mark taken before each read: a row is trusted while
/// the mark stays the same.
final class KnownTokens: Sendable {
    private let rows = Mutex<(mark: String, byHash: [String: TokenRecord])>(("", [:]))

    func record(_ hash: String, mark: String) -> TokenRecord? {
        rows.withLock { $0.mark == mark ? $0.byHash[hash] : nil }
    }

    func keep(_ record: TokenRecord, mark: String) {
        rows.withLock { rows in
            if rows.mark != mark || rows.byHash.count >= 10_000 { rows = (mark, [:]) }
            rows.byHash[record.secretHash] = record
        }
    }
}

/// When this process last recorded each token's use: `last_used` is written at most once a minute per token, so
/// a busy client does not cost a write per request.
final class TokenUsage: Sendable {
    static let interval: TimeInterval = 60
    private let recorded = Mutex<[String: Date]>([:])

    func shouldRecord(_ id: String, at date: Date) -> Bool {
        recorded.withLock { recorded in
            if let last = recorded[id], date.timeIntervalSince(last) < Self.interval { return false }
            if recorded.count >= 10_000 { recorded.removeAll() }
            recorded[id] = date
            return true
        }
    }
}

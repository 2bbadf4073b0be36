import Crypto
import Foundation
import Synchronization

/// Issues API tokens and resolves bearer secrets to principals. Only SHA-256 hashes of secrets are stored.
public struct TokenService: Sendable {
    let store: any MetadataStore
    private let cache = TokenCache()

    public init(store: any MetadataStore) {
        self.store = store
    }

    /// Creates a token and returns its secret, which is shown once and never stored.
    public func create(name: String, isAdmin: Bool) async throws -> (record: TokenRecord, secret: String) {
        let secret = "vlm_" + Self.randomBytes(32).base64URL
        let record = try await insert(name: name, secret: secret, isAdmin: isAdmin)
        return (record, secret)
    }

    /// Ensures an admin token with exactly this secret exists (`VELLUM_BOOTSTRAP_TOKEN`).
    public func ensureBootstrap(secret: String) async throws {
        guard !secret.isEmpty else { return }
        let hash = Self.hash(secret)
        if try await store.read({ try await $0.token(hash: hash) }) == nil {
            _ = try await insert(name: "bootstrap", secret: secret, isAdmin: true)
        }
    }

    /// The principal for an `Authorization` header value; anonymous when absent, 401 when unknown.
    public func authenticate(authorization: String?) async throws -> Principal {
        guard let authorization else { return .anonymous }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw VellumError.invalidToken }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        let hash = Self.hash(secret)
        if let principal = cache.get(hash) { return principal }
        // The lookup is by hash (a preimage-resistant index reveals nothing useful through timing); the final
        // comparison is constant-time anyway.
        guard let record = try await store.read({ try await $0.token(hash: hash) }),
            Self.constantTimeEqual(record.secretHash, hash)
        else { throw VellumError.invalidToken }
        let principal = Principal(tokenID: record.id, isAdmin: record.isAdmin)
        cache.put(hash, principal)
        return principal
    }

    private func insert(name: String, secret: String, isAdmin: Bool) async throws -> TokenRecord {
        let record = TokenRecord(
            id: Self.randomBytes(8).hexString, name: name, secretHash: Self.hash(secret), isAdmin: isAdmin,
            created: Date())
        try await store.write { try await $0.insertToken(record) }
        return record
    }

    static func hash(_ secret: some StringProtocol) -> String {
        SHA256.hash(data: Array(secret.utf8)).hexString
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
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
    var base64URL: String {
        Data(self).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Recently resolved tokens, so that a busy client does not cost a database read per request. Entries live a few
/// seconds: a token removed from the database stops working within that time.
final class TokenCache: Sendable {
    static let lifetime: Duration = .seconds(10)
    static let capacity = 10_000
    private let entries = Mutex<[String: (principal: Principal, expires: ContinuousClock.Instant)]>([:])

    func get(_ hash: String) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[hash], entry.expires > .now else { return nil }
            return entry.principal
        }
    }

    func put(_ hash: String, _ principal: Principal) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[hash] = (principal, .now + Self.lifetime)
        }
    }
}

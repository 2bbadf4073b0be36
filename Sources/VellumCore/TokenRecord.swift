import Foundation

/// A stored API token: only a hash of its secret is kept.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var secretHash: String
    public var isAdmin: Bool
    public var created: Date
    /// When it stops working by itself (nil: never).
    public var expires: Date?
    /// When it was revoked (nil: it was not).
    public var revoked: Date?
    /// When it was last used, to within a minute (nil: never).
    public var lastUsed: Date?

    public init(
        id: String, name: String, secretHash: String, isAdmin: Bool, created: Date, expires: Date? = nil,
        revoked: Date? = nil, lastUsed: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.isAdmin = isAdmin
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }

    /// Whether it still grants access at `date`.
    public func isValid(at date: Date) -> Bool {
        revoked == nil && (expires.map { date < $0 } ?? true)
    }
}

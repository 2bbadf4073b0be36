/// Who is making a request: anonymous, or the holder of a token.
public struct Principal: Sendable, Equatable {
    public var tokenID: String?
    public var isAdmin: Bool

    public static let anonymous = Principal(tokenID: nil, isAdmin: false)

    public init(tokenID: String?, isAdmin: Bool) {
        self.tokenID = tokenID
        self.isAdmin = isAdmin
    }

    public var isAuthenticated: Bool { tokenID != nil }

    /// The error for something this principal may not do: 401 without a token, 403 with one.
    public var refusal: FilesError { isAuthenticated ? .forbidden : .unauthenticated }

    /// 401/403 unless an admin asks.
    public func requireAdmin() throws {
        guard isAdmin else { throw refusal }
    }
}

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
}

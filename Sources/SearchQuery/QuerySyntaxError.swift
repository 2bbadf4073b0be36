/// A query that cannot be read: where (the character's position, from 1) and why.
public struct QuerySyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var position: Int
    public var reason: String

    public init(position: Int, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// "Unbalanced quote at position 7: …" — what a 400 says.
    public var description: String { "Query syntax error at position \(position): \(reason)" }
}

/// An error of Vellum's domain: what went wrong in terms of the domain, with no protocol's status code. Each
/// front-end maps the error types it meets to its own answers once (the files API to an HTTP status and a JSON
/// body, the CLI to a message and an exit code).
public protocol DomainError: Error, Sendable, CustomStringConvertible {
    /// What a client may be told.
    var message: String { get }
    /// Problems with single fields of a request, each rendered with its field's name.
    var fieldErrors: [FieldError] { get }
    /// Operator-only detail (paths, system errors): logged, never sent to clients.
    var detail: String? { get }
}

extension DomainError {
    public var fieldErrors: [FieldError] { [] }
    public var description: String { "\(Self.self): \(message)" + (detail.map { " (\($0))" } ?? "") }
}

/// One field-level problem of a request.
public struct FieldError: Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

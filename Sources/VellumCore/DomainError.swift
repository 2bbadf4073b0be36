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
    public var description: String { message + (detail.map { " (\($0))" } ?? "") }
}

/// The one shape of the domains' errors: a reason of the domain's own (`FilesReason`, `StorageReason`, `IIIFReason`,
/// each an enum of what can go wrong there), the message, field problems and operator detail.
public struct Failure<Reason: Sendable & Equatable>: DomainError, Equatable {
    public var reason: Reason
    public var message: String
    public var fieldErrors: [FieldError]
    public var detail: String?

    public init(_ reason: Reason, _ message: String, fieldErrors: [FieldError] = [], detail: String? = nil) {
        self.reason = reason
        self.message = message
        self.fieldErrors = fieldErrors
        self.detail = detail
    }
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

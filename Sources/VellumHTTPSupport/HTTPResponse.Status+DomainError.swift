import HTTPTypes
import VellumCore

extension HTTPResponse.Status {
    /// The HTTP API's one mapping from the domain's errors to HTTP statuses (a module's own errors say theirs, as
    /// `HTTPMappedError`s); their messages are sent as they are.
    public init(for error: any DomainError) {
        switch error {
        case let error as APIError: self = error.status
        case let error as any HTTPMappedError: self = error.status
        case let error as FilesError:
            switch error.reason {
            case .invalid: self = .badRequest
            case .invalidField: self = .unprocessableContent
            case .unauthenticated: self = .unauthorized
            case .forbidden: self = .forbidden
            case .notFound: self = .notFound
            case .conflict: self = .conflict
            case .preconditionFailed: self = .preconditionFailed
            case .failure: self = .internalServerError
            }
        case let error as StorageError:
            switch error.reason {
            case .missing, .failure: self = .internalServerError
            case .full: self = .init(code: 507)
            case .tooLarge: self = .contentTooLarge
            case .tooManyOpenFiles, .unavailable: self = .serviceUnavailable
            case .conflict: self = .conflict
            }
        case is ConfigurationError: self = .badRequest
        default: self = .internalServerError
        }
    }
}

/// A domain error whose status its module's front-end decides: the module conforms its error type in its HTTP target,
/// so that this mapping need not know it (`IIIFError` in `VellumHTTP` is one).
public protocol HTTPMappedError: DomainError {
    var status: HTTPResponse.Status { get }
}

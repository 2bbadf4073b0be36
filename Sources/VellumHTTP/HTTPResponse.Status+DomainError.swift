import HTTPTypes
import IIIF
import IIIFGrammar
import VellumCore

extension HTTPResponse.Status {
    /// The files API's one mapping from the domain's errors to HTTP statuses; their messages are sent as they are.
    init(for error: any DomainError) {
        switch error {
        case let error as APIError: self = error.status
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
        case let error as IIIFError:
            switch error.reason {
            case .invalidRequest: self = .badRequest
            case .notFound: self = .notFound
            case .tooLarge: self = .contentTooLarge
            case .undecodable: self = .unprocessableContent
            case .notImplemented: self = .notImplemented
            case .busy: self = .serviceUnavailable
            case .failure: self = .internalServerError
            }
        case is ConfigurationError: self = .badRequest
        default: self = .internalServerError
        }
    }
}

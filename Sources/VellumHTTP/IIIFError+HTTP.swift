import HTTPTypes
import IIIF
import IIIFGrammar
import VellumHTTPSupport

/// The IIIF front-end's statuses for the IIIF domain's errors.
extension IIIFError: HTTPMappedError {
    public var status: HTTPResponse.Status {
        switch reason {
        case .invalidRequest: .badRequest
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .undecodable: .unprocessableContent
        case .notImplemented: .notImplemented
        case .busy: .serviceUnavailable
        case .failure: .internalServerError
        }
    }
}

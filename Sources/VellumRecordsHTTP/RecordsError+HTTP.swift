import HTTPTypes
import VellumHTTPSupport
import VellumRecords

/// The records front-end's statuses for the records domain's errors (api.md §7).
extension RecordsError: HTTPMappedError {
    public var status: HTTPResponse.Status {
        switch reason {
        case .invalid: .badRequest
        case .notFound: .notFound
        case .revisionMismatch: .preconditionFailed
        case .conflict: .conflict
        case .tampered: .internalServerError
        case .gone: .gone
        }
    }
}

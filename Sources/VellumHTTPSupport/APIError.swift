import HTTPTypes
import VellumCore

/// An error the HTTP front-end itself decides (a malformed body, a method a URL does not take, a range that cannot
/// be served), with its status; the domain's errors get theirs from `HTTPResponse.Status(for:)`.
public struct APIError: DomainError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var detail: String? { nil }

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

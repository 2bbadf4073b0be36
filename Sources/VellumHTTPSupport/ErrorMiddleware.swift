import Foundation
import Hummingbird
import VellumCore

/// Renders every error as `{"status": N, "message": "..."}` with the right status code.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any DomainError {
            let status = HTTPResponse.Status(for: error)
            if status.kind == .serverError { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            var response = Self.response(status, error.message, fieldErrors: error.fieldErrors)
            if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
            if status == .serviceUnavailable { response.headers[.retryAfter] = "1" }
            return response
        } catch let error as HTTPError {
            var response = Self.response(error.status, error.body ?? Self.defaultMessage(error.status))
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as any HTTPResponseError {
            return Self.response(error.status, Self.defaultMessage(error.status))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.response(.internalServerError, "Internal server error.")
        }
    }

    public static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "The requested URL was not found on the server."
        case 405: "The method is not allowed for the requested URL."
        default: status.reasonPhrase
        }
    }

    /// The JSON error response: `{"status": N, "message": "..."[, "errors": [{"field", "message"}]]}`.
    public static func response(_ status: HTTPResponse.Status, _ message: String, fieldErrors: [FieldError] = []) -> Response {
        JSONResponse.make(status: status) { json in
            json.object { json in
                json.key("status")
                json.int(status.code)
                json.key("message")
                json.string(message)
                guard !fieldErrors.isEmpty else { return }
                json.key("errors")
                json.array(fieldErrors) { json, problem in
                    json.object { json in
                        json.key("field")
                        json.string(problem.field)
                        json.key("message")
                        json.string(problem.message)
                    }
                }
            }
        }
    }
}

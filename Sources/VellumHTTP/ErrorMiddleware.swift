import Foundation
import Hummingbird
import VellumCore

/// Renders every error as `{"status": N, "message": "..."}` with the right status code.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as VellumError {
            if error.status >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            var response = Self.response(error)
            if error.status == 401 { response.headers[.wwwAuthenticate] = "Bearer" }
            if error.status == 503 { response.headers[.retryAfter] = "1" }
            return response
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(error.status)
            var response = Self.response(VellumError(error.status.code, message))
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as any HTTPResponseError {
            return Self.response(VellumError(error.status.code, Self.defaultMessage(error.status)))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.response(VellumError(500, "Internal server error."))
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "The requested URL was not found on the server."
        case 405: "The method is not allowed for the requested URL."
        default: status.reasonPhrase
        }
    }

    /// The JSON error response for `error`.
    static func response(_ error: VellumError) -> Response {
        JSONResponse.make(status: .init(code: error.status)) { json in
            json.object { json in
                json.key("status")
                json.int(error.status)
                json.key("message")
                json.string(error.message)
                guard let errors = error.errors else { return }
                json.key("errors")
                json.array(errors) { json, problem in
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

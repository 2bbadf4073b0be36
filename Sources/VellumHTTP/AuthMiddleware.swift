import Hummingbird
import VellumCore

/// Resolves `Authorization: Bearer <token>` to the request's principal; an unknown token is a 401.
struct AuthMiddleware: RouterMiddleware {
    let tokens: TokenService

    func handle(
        _ request: Request, context: VellumRequestContext,
        next: (Request, VellumRequestContext) async throws -> Response
    ) async throws -> Response {
        // Probes must work whatever credentials a load balancer sends.
        if request.uri.path == "/health" || request.uri.path == "/metrics" { return try await next(request, context) }
        var context = context
        context.principal = try await tokens.authenticate(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}

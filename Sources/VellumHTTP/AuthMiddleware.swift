import Hummingbird
import VellumCore

/// Resolves `Authorization: Bearer <token>` to the request's principal; an unknown token is a 401. Added to the
/// route collections that need it (see `VellumRouter`).
struct AuthMiddleware: RouterMiddleware {
    let tokens: TokenService

    func handle(
        _ request: Request, context: VellumRequestContext,
        next: (Request, VellumRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.principal = try await tokens.authenticate(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}

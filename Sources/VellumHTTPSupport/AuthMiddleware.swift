import Hummingbird
import VellumCore

/// Resolves `Authorization: Bearer <token>` to the request's principal; an unknown token is a 401. Added to the
/// route collections that need it (see `VellumRouter`).
public struct AuthMiddleware: RouterMiddleware {
    public let tokens: TokenService

    public init(tokens: TokenService) { self.tokens = tokens }

    public func handle(
        _ request: Request, context: VellumRequestContext,
        next: (Request, VellumRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.principal = try await tokens.authenticate(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}

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
        // Downloads read their token in the same trip to the database as their object (`FilesController.getObject`).
        if Self.isDownload(request) { return try await next(request, context) }
        var context = context
        context.principal = try await tokens.authenticate(authorization: request.headers[.authorization])
        return try await next(request, context)
    }

    /// A GET or HEAD of an object (not of a multipart upload): `/files/{bucket}/{key}`.
    static func isDownload(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        let parts = request.uri.path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "files" else { return false }
        let query = request.uri.queryParameters
        return query["uploadId"] == nil && query["uploads"] == nil
    }
}

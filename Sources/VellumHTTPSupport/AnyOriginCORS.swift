import Hummingbird

/// CORS for what any web page may read (IIIF images and manifests): any origin may read every answer, errors
/// included, and preflight requests are answered here. Put outside an `ErrorMiddleware`, so errors arrive as
/// responses.
public struct AnyOriginCORS<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        if request.method == .options {
            response = Response(
                status: .noContent,
                headers: [
                    .accessControlAllowMethods: "GET, HEAD, OPTIONS", .accessControlMaxAge: "86400",
                    .accessControlAllowHeaders: request.headers[.accessControlRequestHeaders] ?? "*",
                ])
        } else {
            response = try await next(request, context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = "Link, ETag, Content-Length"
        return response
    }
}

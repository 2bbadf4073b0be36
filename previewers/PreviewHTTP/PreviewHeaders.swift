import Foundation
import HTTPTypes
import Hummingbird
import VellumHTTPSupport

/// The headers of every response under `/preview/` (api.md §6), errors included: a `Content-Security-Policy` that
/// sandboxes the document without `allow-same-origin` (a page's own, set by its handler, or else one that allows
/// nothing at all), `nosniff`, no referrer, and never a cookie.
struct PreviewHeaders<Context: RequestContext>: RouterMiddleware {
    /// Nothing may be loaded or run: raw bytes, errors, redirects.
    static var strict: String { "default-src 'none'; sandbox; base-uri 'none'; form-action 'none'" }

    /// A page's policy: its own origin's styles, images (and `data:` images of notebooks) and media; scripts (and
    /// the requests a viewer makes for tiles) only when the page has scripts, all from its own origin.
    static func page(scripts: Bool) -> String {
        var policy = "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; font-src 'self'"
        policy += scripts ? "; script-src 'self'; connect-src 'self'; sandbox allow-scripts" : "; sandbox"
        return policy + "; base-uri 'none'; form-action 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy]?.contains("sandbox") != true {
            response.headers[.contentSecurityPolicy] = Self.strict
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[values: .setCookie] = []
        return response
    }
}

/// In front of every route: on the preview origin (`VELLUM_PREVIEW_URL`), only `/preview/` is served (the files API,
/// IIIF and the rest answer 404 there, so that nothing of the API's origin is ever reachable from a preview's); and
/// every answer under `/preview/`, also the router's own 404 and 405 for paths no route matches, gets the preview
/// headers.
public struct PreviewOriginGuard<Context: RequestContext>: RouterMiddleware {
    let host: String?

    /// `url`: the preview origin's URL, or nil when previews are served on the API's own origin.
    public init(url: String?) {
        host = url.flatMap { URLComponents(string: $0) }.flatMap { parts in
            parts.host.map { host in parts.port.map { "\(host):\($0)" } ?? host }
        }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        let preview = path.hasPrefix("/preview/") || path == "/preview"
        if let host, request.head.authority == host, !preview {
            throw HTTPError(.notFound, message: "Not found.")
        }
        guard preview else { return try await next(request, context) }
        return try await PreviewHeaders().handle(request, context: context) { request, context in
            try await ErrorMiddleware().handle(request, context: context, next: next)
        }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let accessControlAllowOrigin = Self("Access-Control-Allow-Origin")!
}

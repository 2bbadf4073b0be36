import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import Synchronization
import VellumCore
import VellumHTTPSupport

/// The IIIF Image API 2.1 (`/iiif/v2`) and 3.0 (`/iiif/v3`) over stored images: info.json, images, and the base URI's
/// redirect. Identifiers are `{bucket}:{key}` or `{bucket}:{version_id}:{key}` (api.md §5); reading one needs the
/// permission to read the object. Every answer, errors and preflights included, allows any origin (`IIIFCORS`).
final class IIIFController: Sendable {
    let files: FilesServices
    let renderer: IIIFRenderer
    let links: LinkPolicy
    /// Recent answers of `imageSource` to anonymous clients, by identifier.
    let resolved = Mutex<[IIIFIdentifier: (file: FileInstance, source: ImageSource, until: ContinuousClock.Instant)]>([:])

    init(files: FilesServices, renderer: IIIFRenderer, links: LinkPolicy) {
        self.files = files
        self.renderer = renderer
        self.links = links
    }

    /// The routes, under `/iiif`, with their own middleware: CORS on every answer (errors and preflights
    /// included), then errors rendered inside it, then authentication.
    func routes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
            .add(middleware: IIIFCORS())
            .add(middleware: ErrorMiddleware())
            .add(middleware: auth)
        routes.get(":version/:identifier") { request, _ in
            let target = try Target(request)
            return Response(status: .seeOther, headers: [.location: target.base(self.links, request) + "/info.json"])
        }
        for method in [HTTPRequest.Method.get, .head] {
            routes.on(":version/:identifier/info.json", method: method) { request, context in
                try await self.info(request, context)
            }
            routes.on(":version/:identifier/:region/:size/:rotation/:file", method: method) { request, context in
                try await self.image(request, context)
            }
        }
        // Preflights: answered by `IIIFCORS` before the route. (A URL under /iiif that none of these match is the
        // router's plain 404: a catch-all beside the captures is refused by Hummingbird's router.)
        for path in [":version/:identifier", ":version/:identifier/info.json", ":version/:identifier/:region/:size/:rotation/:file"] {
            routes.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
        return routes
    }

    private func info(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let target = try Target(request)
        let (file, source) = try await imageSource(target, context)
        let size = try await renderer.size(of: source)
        let info = ImageInfo(width: size.width, height: size.height, limits: renderer.settings.limits)
        let formats = renderer.formats
        var json = JSONWriter()
        json.iiifInfo(info, id: target.base(links, request), version: target.version, formats: formats)
        let body = Array(json.buffer.readableBytesView)
        return respond(
            request, target: target, bytes: body, etag: "\(file.id.lowercased)-\(Self.hash(body))",
            headers: [
                .contentType: Self.infoType(target.version, accept: request.headers[.accept]),
                .link: "<\(target.version.profileURI)>;rel=\"profile\"",
            ])
    }

    private func image(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let target = try Target(request)
        let p = context.parameters
        let image = try ImageRequest(
            region: Substring(p.get("region") ?? ""), size: Substring(p.get("size") ?? ""),
            rotation: Substring(p.get("rotation") ?? ""), file: Substring(p.get("file") ?? ""),
            version: target.version)
        let (file, source) = try await imageSource(target, context)
        let size = try await renderer.size(of: source)
        let plan = try image.plan(
            width: size.width, height: size.height, limits: renderer.settings.limits, version: target.version)
        // Rendered from the pyramid or from the original: close, but not the same bytes.
        let key = "\(file.id.lowercased)/\(source.pyramid == nil ? "o" : "p")/\(plan.canonical)"
        let etag = "\(file.id.lowercased)-\(Self.hash(Array("\(key) q\(renderer.settings.jpegQuality)".utf8)))"
        var headers: HTTPFields = [
            .contentType: plan.format.mediaType,
            .link: "<\(target.version.profileURI)>;rel=\"profile\", <\(target.base(links, request))/\(plan.canonical)>;rel=\"canonical\"",
        ]
        if Self.notModified(request, etag) {  // before rendering anything
            return respond(request, target: target, bytes: [], etag: etag, headers: headers)
        }
        let bytes: [UInt8]
        if let cached = renderer.cache.get(key) {
            bytes = cached
            headers[.vellumCache] = "hit"
        } else {
            bytes = try await renderer.render(source, plan)
            renderer.cache.put(key, bytes)
            headers[.vellumCache] = "miss"
        }
        return respond(request, target: target, bytes: bytes, etag: etag, headers: headers)
    }

    /// The answer with its validators: 304 when `If-None-Match` names its entity tag; no body for HEAD. A URL
    /// naming a version is cached for a year (the version never changes), one naming the head for a minute;
    /// answers to authenticated requests only by the client itself.
    private func respond(
        _ request: Request, target: Target, bytes: [UInt8], etag: String, headers: HTTPFields
    ) -> Response {
        var headers = headers
        headers[.eTag] = "\"\(etag)\""
        let age = target.identifier.versionID == nil ? "max-age=60" : "max-age=31536000, immutable"
        headers[.cacheControl] = (request.headers[.authorization] == nil ? "public, " : "private, ") + age
        if Self.notModified(request, etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(bytes.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func notModified(_ request: Request, _ etag: String) -> Bool {
        WriteCondition.matches(request.headers[.ifNoneMatch] ?? "", etag: "\"\(etag)\"", weak: true)
    }

    /// FNV-1a, 64 bits, in hex: entity tags of derived bytes.
    static func hash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// The file the image `target` names and where its bytes (and its pyramid's, once built) are, if the client
    /// may read it. For anonymous clients the answer is kept for a second: a viewer asks for hundreds of tiles of
    /// one image, and answers for a head are cacheable for a minute anyway (`respond`), so a new version or a
    /// bucket made private is seen within the same minute either way.
    private func imageSource(_ target: Target, _ context: VellumRequestContext) async throws
        -> (FileInstance, ImageSource)
    {
        let anonymous = context.principal == .anonymous
        let now = ContinuousClock.now
        if anonymous, let known = resolved.withLock({ $0[target.identifier] }), known.until > now {
            return (known.file, known.source)
        }
        let version = try await files.objects.object(
            bucketID: target.identifier.bucketID, key: target.identifier.key, versionID: target.identifier.versionID,
            by: context.principal)
        guard let file = version.file else { throw FilesError.objectNotFound }
        guard let path = try await files.administration.localPath(file) else {
            throw IIIFError(.notImplemented, "IIIF is served for files in local locations only.")
        }
        var source = ImageSource(path: path)
        if let pyramid = try await files.administration.derivative(.pyramid, of: file) {
            source.pyramid = try await files.administration.localPath(pyramid)
        }
        if anonymous {
            resolved.withLock { resolved in
                if resolved.count >= 10_000 { resolved.removeAll() }
                resolved[target.identifier] = (file, source, now + .seconds(1))
            }
        }
        return (file, source)
    }

    /// 2.1: `application/json` unless JSON-LD is asked for; 3.0: JSON-LD with the context as profile, unless only
    /// plain JSON is asked for.
    static func infoType(_ version: IIIFVersion, accept: String?) -> String {
        let accept = accept ?? ""
        switch version {
        case .v2: return accept.contains("application/ld+json") ? version.jsonLDType : "application/json"
        case .v3:
            let plain = accept.contains("application/json") && !accept.contains("application/ld+json")
            return plain ? "application/json" : version.jsonLDType
        }
    }

    /// The version and identifier of a IIIF URL, from the raw path (the identifier is percent-decoded once, so an
    /// encoded `/` in a key stays part of the identifier).
    struct Target {
        let version: IIIFVersion
        let rawIdentifier: Substring
        let identifier: IIIFIdentifier

        init(_ request: Request) throws {
            let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
            // "", "iiif", version, identifier, ...
            guard segments.count >= 4, let version = IIIFVersion(rawValue: String(segments[2])),
                let decoded = PercentDecoding.decode(segments[3]), let identifier = IIIFIdentifier(decoded)
            else { throw IIIFError(.notFound, "No image with this identifier.") }
            self.version = version
            self.rawIdentifier = segments[3]
            self.identifier = identifier
        }

        /// The image's base URI, as the client named it.
        func base(_ links: LinkPolicy, _ request: Request) -> String {
            links.links(for: request).base + "/iiif/\(version.rawValue)/\(rawIdentifier)"
        }
    }
}

/// CORS for everything under `/iiif/`: any origin may read every answer, errors and unknown paths included, and
/// preflight requests are answered here. Outside `ErrorMiddleware`, so errors arrive as responses.
struct IIIFCORS<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
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

extension JSONWriter {
    mutating func iiifInfo(_ info: ImageInfo, id: String, version: IIIFVersion, formats: [ImageFormat]) {
        let extraFormats = formats.filter { $0 != .jpg && $0 != .png }.map(\.rawValue)
        let extraQualities = ["color", "gray", "bitonal"]
        object { json in
            json.key("@context")
            json.string(version.context)
            json.key(version == .v2 ? "@id" : "id")
            json.string(id)
            if version == .v3 {
                json.key("type")
                json.string("ImageService3")
            }
            json.key("protocol")
            json.string("http://iiif.io/api/image")
            json.key("width")
            json.int(info.width)
            json.key("height")
            json.int(info.height)
            json.key("profile")
            switch version {
            case .v2:
                json.array { json in
                    json.string(version.profileURI)
                    json.object { json in
                        json.key("formats")
                        json.array(formats.map(\.rawValue)) { json, format in json.string(format) }
                        json.key("qualities")
                        json.array(["default"] + extraQualities) { json, quality in json.string(quality) }
                        json.key("supports")
                        json.array([
                            "mirroring", "rotationArbitrary", "regionSquare", "sizeAboveFull", "profileLinkHeader",
                            "canonicalLinkHeader",
                        ]) { json, feature in json.string(feature) }
                        json.iiifLimits(info.limits)
                    }
                }
            case .v3:
                json.string("level2")
                json.iiifLimits(info.limits)
            }
            json.key("sizes")
            json.array(info.sizes) { json, size in
                json.object { json in
                    json.key("width")
                    json.int(size.width)
                    json.key("height")
                    json.int(size.height)
                }
            }
            json.key("tiles")
            json.array { json in
                json.object { json in
                    json.key("width")
                    json.int(info.tileSize)
                    json.key("height")
                    json.int(info.tileSize)
                    json.key("scaleFactors")
                    json.array(info.scaleFactors) { json, factor in json.int(factor) }
                }
            }
            if version == .v3 {
                json.key("extraFormats")
                json.array(extraFormats) { json, format in json.string(format) }
                json.key("extraQualities")
                json.array(extraQualities) { json, quality in json.string(quality) }
                json.key("extraFeatures")
                json.array([
                    "mirroring", "rotationArbitrary", "sizeUpscaling", "profileLinkHeader", "canonicalLinkHeader",
                ]) { json, feature in json.string(feature) }
            }
        }
    }

    mutating func iiifLimits(_ limits: Limits) {
        key("maxWidth")
        int(limits.maxWidth)
        key("maxHeight")
        int(limits.maxHeight)
        key("maxArea")
        int(limits.maxArea)
    }
}

import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import Synchronization
import VellumCore
import VellumHTTPSupport

/// The IIIF Image API 2.1 (`/iiif/v2`) and 3.0 (`/iiif/v3`) over stored images: info.json, images, and the base URI's
/// redirect. Identifiers are `{bucket}:{key}` or `{bucket}:{version_id}:{key}` (api.md §5); reading one needs the
/// permission to read the object. Every answer, errors and preflights included, allows any origin (`AnyOriginCORS`).
final class IIIFController: Sendable {
    let images: IIIFImages
    let links: LinkPolicy

    init(images: IIIFImages, links: LinkPolicy) {
        self.images = images
        self.links = links
    }

    /// The routes, under `/iiif`, with their own middleware: CORS on every answer (errors and preflights
    /// included), then errors rendered inside it, then authentication.
    func routes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
            .add(middleware: AnyOriginCORS())
            .add(middleware: ErrorMiddleware())
            .add(middleware: auth)
        for method in [HTTPRequest.Method.get, .head] {
            routes.on("v3/manifest/:bucket", method: method) { request, context in
                guard let bucket = context.parameters.get("bucket").flatMap(UUID.init(uuidString:)) else {
                    throw IIIFError(.notFound, "No bucket with this id.")
                }
                return try await self.images.manifest(
                    request, bucketID: bucket, base: self.links.links(for: request).base, principal: context.principal)
            }
        }
        routes.get(":version/:identifier") { request, _ in
            let target = try self.target(request)
            return Response(status: .seeOther, headers: [.location: target.base + "/info.json"])
        }
        for method in [HTTPRequest.Method.get, .head] {
            routes.on(":version/:identifier/info.json", method: method) { request, context in
                try await self.images.info(request, self.target(request), principal: context.principal)
            }
            routes.on(":version/:identifier/:region/:size/:rotation/:file", method: method) { request, context in
                let p = context.parameters
                return try await self.images.image(
                    request, self.target(request), principal: context.principal,
                    path: [p.get("region"), p.get("size"), p.get("rotation"), p.get("file")].map { Substring($0 ?? "") })
            }
        }
        // Preflights: answered by `AnyOriginCORS` before the route. (A URL under /iiif that none of these match is the
        // router's plain 404: a catch-all beside the captures is refused by Hummingbird's router.)
        for path in [
            "v3/manifest/:bucket", ":version/:identifier", ":version/:identifier/info.json", ":version/:identifier/:region/:size/:rotation/:file",
        ] {
            routes.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
        return routes
    }

    /// The version and identifier of a IIIF URL, from the raw path (the identifier is percent-decoded once, so an
    /// encoded `/` in a key stays part of the identifier); its base URI as the client named it. Answers to
    /// requests without credentials may be kept by shared caches.
    func target(_ request: Request) throws -> IIIFImages.Target {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "iiif", version, identifier, ...
        guard segments.count >= 4, let version = IIIFVersion(rawValue: String(segments[2])),
            let decoded = PercentDecoding.decode(segments[3]), let identifier = IIIFIdentifier(decoded)
        else { throw IIIFError(.notFound, "No image with this identifier.") }
        return IIIFImages.Target(
            version: version, identifier: identifier,
            base: links.links(for: request).base + "/iiif/\(version.rawValue)/\(segments[3])",
            shared: request.headers[.authorization] == nil)
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

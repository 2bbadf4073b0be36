import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import Synchronization
import VellumCore
import VellumHTTPSupport

/// The IIIF image service over stored files: the `info.json` and the images of one identifier, read as a principal.
/// Served under `/iiif` (`IIIFController`), and to the preview pages' deep-zoom viewer under a ticket
/// (`serve`, wired to `PreviewController` by the daemon).
public final class IIIFImages: Sendable {
    let files: FilesServices
    let renderer: IIIFRenderer
    /// Where images in locations without local files (S3) are read from.
    let copies: LocalCopies
    /// Recent answers of `imageSource` to anonymous clients, by identifier.
    let resolved = Mutex<[IIIFIdentifier: (file: FileInstance, source: ImageSource, until: ContinuousClock.Instant)]>([:])

    public init(files: FilesServices, renderer: IIIFRenderer, copies: LocalCopies) {
        self.files = files
        self.renderer = renderer
        self.copies = copies
    }

    /// What a request names: the API version, the image, the image's base URI (its `id`), and whether shared
    /// caches may keep the answer.
    public struct Target: Sendable {
        var version: IIIFVersion
        var identifier: IIIFIdentifier
        var base: String
        var shared: Bool
    }

    /// A IIIF Image API 3 request for one version's file, `path` being `info.json` or
    /// `{region}/{size}/{rotation}/{file}` and `base` the image's `id`; private to the client (the preview pages'
    /// URLs hold a ticket).
    public func serve(_ request: Request, bucketID: UUID, key: String, versionID: UUID, path: Substring, base: String, principal: Principal)
        async throws -> Response
    {
        let target = Target(
            version: .v3, identifier: IIIFIdentifier(bucketID: bucketID, versionID: versionID, key: key), base: base, shared: false)
        if path == "info.json" { return try await info(request, target, principal: principal) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw IIIFError(.notFound, "No such image request.") }
        return try await image(request, target, principal: principal, path: parts)
    }

    func info(_ request: Request, _ target: Target, principal: Principal) async throws -> Response {
        let (file, source) = try await imageSource(target, principal)
        let size = try await renderer.size(of: source)
        let info = ImageInfo(width: size.width, height: size.height, limits: renderer.settings.limits)
        let formats = renderer.formats
        var json = JSONWriter()
        json.iiifInfo(info, id: target.base, version: target.version, formats: formats)
        let body = Array(json.buffer.readableBytesView)
        return respond(
            request, target: target, bytes: body, etag: "\(file.id.lowercased)-\(fnv1aHex(body))",
            headers: [
                .contentType: Self.infoType(target.version, accept: request.headers[.accept]),
                .link: "<\(target.version.profileURI)>;rel=\"profile\"",
            ])
    }

    /// `path`: region, size, rotation, and quality with format.
    func image(_ request: Request, _ target: Target, principal: Principal, path: [Substring]) async throws -> Response {
        let image = try ImageRequest(region: path[0], size: path[1], rotation: path[2], file: path[3], version: target.version)
        let (file, source) = try await imageSource(target, principal)
        let size = try await renderer.size(of: source)
        let plan = try image.plan(
            width: size.width, height: size.height, limits: renderer.settings.limits, version: target.version)
        // Rendered from the pyramid or from the original: close, but not the same bytes.
        let key = "\(file.id.lowercased);\(target.identifier.page)/\(source.pyramid == nil ? "o" : "p")/\(plan.canonical)"
        let etag = "\(file.id.lowercased)-\(fnv1aHex(Array("\(key) q\(renderer.settings.jpegQuality)".utf8)))"
        var headers: HTTPFields = [
            .contentType: plan.format.mediaType,
            .link: "<\(target.version.profileURI)>;rel=\"profile\", <\(target.base)/\(plan.canonical)>;rel=\"canonical\"",
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
        headers[.cacheControl] = (target.shared ? "public, " : "private, ") + age
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

    /// The file the image `target` names and where its bytes (and its pyramid's, once built) are, if the client
    /// may read it. For anonymous clients the answer is kept for a second: a viewer asks for hundreds of tiles of
    /// one image, and answers for a head are cacheable for a minute anyway (`respond`), so a new version or a
    /// bucket made private is seen within the same minute either way.
    func imageSource(_ target: Target, _ principal: Principal) async throws -> (FileInstance, ImageSource) {
        let anonymous = principal == .anonymous
        let now = ContinuousClock.now
        if anonymous, let known = resolved.withLock({ $0[target.identifier] }), known.until > now {
            return (known.file, known.source)
        }
        let version = try await files.objects.object(
            bucketID: target.identifier.bucketID, key: target.identifier.key, versionID: target.identifier.versionID,
            by: principal)
        guard let file = version.file else { throw FilesError.objectNotFound }
        let source = try await source(of: file, mimetype: version.mimetype, page: target.identifier.page)
        if anonymous {
            resolved.withLock { resolved in
                if resolved.count >= 10_000 { resolved.removeAll() }
                resolved[target.identifier] = (file, source, now + .seconds(1))
            }
        }
        return (file, source)
    }

    /// Where page `page` of a file is: a PDF's page drawn as a PNG image (`pdfPage`); a TIFF's page other than the
    /// first read from its directory; else the file, with its pyramid once built. With a pyramid, only the pyramid
    /// is read: an original in S3 is not copied then. 404 for a page the file does not have.
    func source(of file: FileInstance, mimetype: String?, page: Int) async throws -> ImageSource {
        if mimetype == Self.pdfType { return try await pdfPage(file, page) }
        if page > 1 {
            guard mimetype == Self.tiffType else { throw IIIFError(.notFound, "The image has no page \(page).") }
            let path = try await copies.path(of: file)
            guard let pages = try await renderer.tiffPages(path, limit: Self.maxPages) else {
                throw IIIFError(.notFound, "The image has no page \(page).")
            }
            return ImageSource(path: path, directory: pages.directories[try pages.index(of: page)])
        }
        if let pyramid = try await files.administration.derivative(.pyramid, of: file) {
            let tiles = try await copies.path(of: pyramid)
            return ImageSource(path: try await files.administration.localPath(file) ?? tiles, pyramid: tiles)
        }
        return ImageSource(path: try await copies.path(of: file))
    }

    static let pdfType = "application/pdf"
    static let tiffType = "image/tiff"
    /// Pages of a PDF or multi-page TIFF that are served (and shown in manifests).
    static let maxPages = 1000

    /// Page `page` of a PDF drawn at `IIIFRenderer.pdfDPI` and kept with the local copies, as a pyramid (as a PNG
    /// image if it fits in one tile); 404 for a page beyond the PDF's or `maxPages`, 400 for one with more pixels
    /// than images may have.
    func pdfPage(_ file: FileInstance, _ page: Int) async throws -> ImageSource {
        let pdf = try await copies.path(of: file)
        let size = try renderer.pdfPageSize(try await renderer.pdfPages(pdf, limit: Self.maxPages), page)
        let renderer = renderer
        let name = "\(file.id.lowercased)-page\(page)"
        guard max(size.width, size.height) > 256 else {
            let path = try await copies.path(named: name + ".png", size: Int64(size.width * size.height)) {
                try await renderer.drawPDFPage(pdf, number: page, size: size, to: $0)
            }
            return ImageSource(path: path)
        }
        // A page larger than a tile is kept as a pyramid of its own, drawn then converted once: viewers' tiles come
        // from it as from any image's (a tile of the drawn PNG decoded it from the top: 52 tiles a second).
        let tiles = try await copies.path(named: name + ".tif", size: Int64(size.width * size.height) / 4) { target in
            let drawn = target + ".page.tmp"
            defer { unlink(drawn) }
            try await renderer.drawPDFPage(pdf, number: page, size: size, to: drawn)
            try await renderer.buildPyramid(from: drawn, to: target, waitedFor: true)
        }
        return ImageSource(path: tiles, pyramid: tiles)
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
}

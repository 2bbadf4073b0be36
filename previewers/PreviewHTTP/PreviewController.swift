import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Previewers
import VellumCore
import VellumHTTPSupport

/// The IIIF image service of a version's file, for the deep-zoom viewer: `path` is `info.json` or
/// `{region}/{size}/{rotation}/{file}`, `base` the image's `id` (the daemon wires `IIIFImages.serve`).
public typealias PreviewImageService =
    @Sendable (
        _ request: Request, _ version: ObjectVersion, _ path: Substring, _ base: String, _ principal: Principal
    ) async throws -> Response

/// Preview pages (api.md §6): `GET /preview/{bucket}/{key}?versionId=V[&ticket=T]`, and what a page loads under its
/// ticket: the file's bytes (`/preview/_t/{ticket}/raw/{key}`, with Range), a PDF's page images
/// (`/preview/_t/{ticket}/pdf/{n}`), an image's tiles (`/preview/_t/{ticket}/iiif/…`); and the assets
/// (`/preview/_assets/…`). A page is allowed by a ticket for its version or by the permission to read the object;
/// what the page loads is allowed by the ticket only.
public final class PreviewController: Sendable {
    let files: FilesServices
    let registry: PreviewerRegistry
    let settings: PreviewSettings
    let signer: PreviewTicket.Signer
    let assets: PreviewAssets
    /// Where files of remote locations are copied to be previewed.
    let scratch: ScratchDirectory
    /// Who reads what a ticket grants: the ticket was made for someone allowed to read the version.
    static let ticketHolder = Principal(tokenID: nil, isAdmin: true)
    /// How long making a page may take.
    static let timeLimit: Duration = .seconds(10)

    /// The API's public URL, for the pages' download links.
    let apiURL: String
    let images: PreviewImageService
    /// PDF page images lately drawn.
    let pages = ResponseCache(capacity: 64 << 20)

    public init(
        files: FilesServices, registry: PreviewerRegistry = .standard, settings: PreviewSettings, dataDir: String, apiURL: String,
        images: @escaping PreviewImageService
    ) throws {
        self.files = files
        self.images = images
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.registry = registry
        self.settings = settings
        self.signer = PreviewTicket.Signer(secret: settings.secret)
        self.assets = PreviewAssets(folder: settings.assets.isEmpty ? dataDir + "/preview-assets" : settings.assets)
        self.scratch = try ScratchDirectory(in: dataDir + "/tmp/preview")
    }

    /// `links.preview` of a version: its page on the preview origin (or `base`, the API's), with a new ticket.
    public func link(bucketID: UUID, key: String, versionID: UUID, base: String) -> String {
        let ticket = PreviewTicket(bucketID: bucketID, versionID: versionID, expires: Int64(Date().timeIntervalSince1970 + settings.ticketTTL))
        return pageURL(base: settings.url ?? base, bucketID: bucketID, key: key, versionID: versionID, token: signer.token(ticket))
    }

    func pageURL(base: String, bucketID: UUID, key: String, versionID: UUID, token: String) -> String {
        let base = base.hasSuffix("/") ? String(base.dropLast()) : base
        let path = key.addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? key
        return "\(base)/preview/\(bucketID.lowercased)/\(path)?versionId=\(versionID.lowercased)&ticket=\(token)"
    }

    static let pathAllowed: CharacterSet = {
        var set = CharacterSet.asciiAlphanumerics
        set.insert(charactersIn: "-._~/!$&'()*+,;=:@")
        return set
    }()

    /// The routes, under `/preview`; the page route with authentication (a Bearer token, for pages asked for
    /// without a ticket). The preview headers and error rendering of every answer under `/preview/` are
    /// `PreviewOriginGuard`'s, in front of the whole router (so that paths no route matches have them too).
    public func routes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("_assets/**") { _, context in
            guard let response = self.assets.response(context.parameters.getCatchAll().joined(separator: "/")[...]) else {
                throw APIError(.notFound, "No such asset.")
            }
            return response
        }
        for method in [HTTPRequest.Method.get, .head] {
            routes.on("_t/:ticket/raw/**", method: method) { request, context in try await self.raw(request, context) }
            routes.on("_t/:ticket/pdf/:page", method: method) { request, context in try await self.pdfPage(request, context) }
            for path in ["info.json", ":region/:size/:rotation/:file"] {
                routes.on(RouterPath("_t/:ticket/iiif/" + path), method: method) { request, context in
                    try await self.image(request, context)
                }
            }
        }
        routes.group().add(middleware: auth).get(":bucket/**") { request, context in try await self.page(request, context) }
        return routes
    }

    /// The version a ticket grants, if it is valid.
    func granted(_ token: Substring?) -> PreviewTicket? {
        token.flatMap { signer.ticket($0) }
    }

    /// The version the route's ticket grants.
    func ticketVersion(_ context: VellumRequestContext) async throws -> ObjectVersion {
        guard let ticket = granted(context.parameters.get("ticket").map { $0[...] }) else {
            throw APIError(.forbidden, "The preview ticket is not valid.")
        }
        return try await files.objects.version(bucketID: ticket.bucketID, versionID: ticket.versionID, by: Self.ticketHolder)
    }

    func page(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        guard let bucketID = context.parameters.get("bucket").flatMap(UUID.init(uuidString:)) else {
            throw FilesError.bucketNotFound
        }
        let key = try Self.key(request)
        let query = request.uri.queryParameters
        let versionID = try query["versionId"].map { raw in
            guard let id = UUID(uuidString: String(raw)) else { throw APIError(.badRequest, "Invalid versionId.") }
            return id
        }
        let version: ObjectVersion
        if let token = query["ticket"] {
            guard let ticket = granted(token), ticket.bucketID == bucketID, versionID == nil || ticket.versionID == versionID else {
                throw APIError(.forbidden, "The preview ticket is not valid for this file.")
            }
            version = try await files.objects.object(bucketID: bucketID, key: key, versionID: ticket.versionID, by: Self.ticketHolder)
        } else {
            version = try await files.objects.object(bucketID: bucketID, key: key, versionID: versionID, by: context.principal)
            if let url = settings.url {
                // The API origin sends previews to the preview origin, with a ticket for the version.
                return Response(
                    status: .temporaryRedirect,
                    headers: [.location: link(bucketID: bucketID, key: version.key, versionID: version.versionID, base: url)])
            }
        }
        guard let file = version.file else { throw FilesError.objectNotFound }
        let token = signer.token(
            PreviewTicket(bucketID: bucketID, versionID: version.versionID, expires: Int64(Date().timeIntervalSince1970 + settings.ticketTTL)))
        let path = version.key.addingPercentEncoding(withAllowedCharacters: Self.pathAllowed) ?? version.key
        let links = PreviewLinks(
            raw: "/preview/_t/\(token)/raw/\(path)", assets: "/preview/_assets", iiif: "/preview/_t/\(token)/iiif",
            pages: "/preview/_t/\(token)/pdf",
            download: "\(apiURL)/files/\(bucketID.lowercased)/\(path)?versionId=\(version.versionID.lowercased)&download")
        var preview = PreviewFile(path: "", key: version.key, size: file.size, mimetype: version.mimetype, links: links)
        let checksums = [("MD5", file.checksums.md5), ("SHA-256", file.checksums.sha256)]
        guard let previewer = registry.previewer(for: preview) else {
            return Self.html(PreviewDocument.cannotPreview(preview, reason: nil, checksums: checksums), status: .unsupportedMediaType, scripts: false)
        }
        // The page kept by the previews worker, or one made now.
        var outcome = previewer.keptAsDerivative ? await stored(file, kind: previewer.name) : nil
        let kept = outcome != nil
        if outcome == nil {
            let limits = PreviewLimits(maxBytes: Int64(settings.maxMB) << 20, deadline: .now + Self.timeLimit)
            do {
                let (path, temporary) = try await localCopy(file, limit: limits.maxBytes, whole: previewer.needsWholeFile)
                defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
                preview.path = path
                outcome = try await StoredPreview.render(previewer, preview, limits)
            } catch let failure as PreviewFailure {
                outcome = StoredPreview(kind: previewer.name, failure: failure.reason)
            }
        }
        var response: Response
        if let page = outcome?.page {
            response = Self.html(PreviewDocument.html(page, kind: previewer.name, file: preview), status: .ok, scripts: !page.scripts.isEmpty)
        } else {
            let reason = outcome?.failure
            response = Self.html(PreviewDocument.cannotPreview(preview, reason: reason, checksums: checksums), status: .ok, scripts: false)
        }
        if kept { response.headers[.vellumCache] = "hit" }
        return response
    }

    /// The page of `file` kept as its `preview` derivative by `PreviewProducer`, if there is one made by the
    /// previewer `kind` in the current format (else the page is made anew).
    func stored(_ file: FileInstance, kind: String) async -> StoredPreview? {
        guard let derivative = try? await files.administration.derivative(.preview, of: file),
            let reader = try? await files.objects.open(derivative, range: nil)
        else { return nil }
        var bytes = [UInt8]()
        do {
            while let chunk = try await reader.next() { bytes += chunk.readableBytesView }
        } catch {
            await reader.close()
            return nil
        }
        await reader.close()
        guard let stored = try? JSONDecoder().decode(StoredPreview.self, from: Data(bytes)),
            stored.format == StoredPreview.currentFormat, stored.kind == kind
        else { return nil }
        return stored
    }

    /// A local file with the bytes: the stored file itself in a local location, else a copy of its first `limit`
    /// bytes in the scratch folder (`temporary`). With `whole` (`Previewer.needsWholeFile`), only the whole file will do.
    func localCopy(_ file: FileInstance, limit: Int64, whole: Bool) async throws -> (path: String, temporary: Bool) {
        if let path = try await files.administration.localPath(file) { return (path, false) }
        if whole && file.size > limit {
            throw PreviewFailure("The file is larger than \(limit >> 20) MB, the most this server copies from remote storage for a preview.")
        }
        let path = scratch.path + "/" + UUID().lowercased
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw PreviewFailure("The file could not be read.")
        }
        defer { try? handle.close() }
        let reader = try await files.objects.open(file, range: 0..<min(file.size, limit))
        do {
            while let chunk = try await reader.next() { try handle.write(contentsOf: Data(chunk.readableBytesView)) }
            await reader.close()
        } catch {
            await reader.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return (path, true)
    }

    /// The bytes of the version a ticket grants, for the page's images, players and viewers.
    func raw(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let version = try await ticketVersion(context)
        guard let file = version.file, version.key == (try Self.key(request, after: 5)) else { throw FilesError.objectNotFound }
        var response = try await DownloadResponse(
            service: files, version: version, file: file, request: request, forceDownload: false, mayRedirect: false
        ).make()
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// The deep-zoom viewer's `info.json` and tiles of the image a ticket grants: the IIIF Image API 3, its `id`
    /// on the preview origin under the ticket.
    func image(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let version = try await ticketVersion(context)
        let base = "/preview/_t/\(context.parameters.get("ticket") ?? "")/iiif"
        let path = request.uri.path.dropFirst(base.count + 1)
        var response = try await images(request, version, path, base, Self.ticketHolder)
        response.headers[.accessControlAllowOrigin] = "*"  // the viewer's requests come from an opaque origin
        return response
    }

    /// Page `n` of the PDF a ticket grants, as a PNG image drawn by poppler (kept a while in `pages`).
    func pdfPage(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let version = try await ticketVersion(context)
        guard let file = version.file, let number = context.parameters.get("page").flatMap({ Int($0) }),
            (1...PDFPreviewer.maxPages).contains(number)
        else { throw APIError(.notFound, "No such page.") }
        let key = "\(file.id.lowercased)/\(number)"
        let png: [UInt8]
        if let kept = pages.get(key) {
            png = kept
        } else {
            do {
                let (path, temporary) = try await localCopy(file, limit: Int64(settings.maxMB) << 20, whole: true)
                defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
                png = try await NIOThreadPool.singleton.runIfActive {
                    try PDFDocument.page(path, number: number, deadline: .now + Self.timeLimit)
                }
                pages.put(key, png)
            } catch let failure as PreviewFailure {
                throw APIError(failure == .noSuchPage ? .notFound : .unprocessableContent, failure.reason)
            }
        }
        let body = ByteBuffer(bytes: png)
        return Response(
            status: .ok,
            headers: [.contentType: "image/png", .cacheControl: "private, max-age=600", .contentLength: String(body.readableBytes)],
            body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: body))
    }

    static func html(_ html: String, status: HTTPResponse.Status, scripts: Bool) -> Response {
        let body = ByteBuffer(string: html)
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: PreviewHeaders<VellumRequestContext>.page(scripts: scripts),
                .cacheControl: "private, no-store", .contentLength: String(body.readableBytes),
            ], body: ResponseBody(byteBuffer: body))
    }

    /// The object key: the path after its first `segments` segments (`/preview/{bucket}/`: 3), percent-decoded.
    static func key(_ request: Request, after segments: Int = 3) throws -> String {
        let path = request.uri.path
        let parts = path.split(separator: "/", maxSplits: segments, omittingEmptySubsequences: false)
        guard parts.count == segments + 1, let key = PercentDecoding.decode(parts[segments]), !key.isEmpty else {
            throw FilesError.objectNotFound
        }
        return key
    }
}

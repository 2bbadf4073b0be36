import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Previewers
import VellumCore
import VellumHTTPSupport

/// Preview pages (api.md §6): `GET /preview/{bucket}/{key}?versionId=V[&ticket=T]`, the file's bytes for the page
/// (`/preview/_t/{ticket}/raw`, with Range), and the assets (`/preview/_assets/…`). A page is allowed by a ticket
/// for its version or by the permission to read the object; what the page loads is allowed by the ticket only.
public final class PreviewController: Sendable {
    let files: FilesServices
    let registry: PreviewerRegistry
    let settings: PreviewSettings
    let signer: PreviewTicket.Signer
    let assets: PreviewAssets
    /// Where files of remote locations are copied to be previewed.
    let scratch: String
    /// Who reads what a ticket grants: the ticket was made for someone allowed to read the version.
    static let ticketHolder = Principal(tokenID: nil, isAdmin: true)
    /// How long making a page may take.
    static let timeLimit: Duration = .seconds(10)

    /// The API's public URL, for the pages' download links.
    let apiURL: String

    public init(
        files: FilesServices, registry: PreviewerRegistry = .standard, settings: PreviewSettings, dataDir: String, apiURL: String
    ) {
        self.files = files
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.registry = registry
        self.settings = settings
        self.signer = PreviewTicket.Signer(secret: settings.secret)
        self.assets = PreviewAssets(folder: settings.assets.isEmpty ? dataDir + "/preview-assets" : settings.assets)
        self.scratch = dataDir + "/tmp/preview"
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
        }
        routes.group().add(middleware: auth).get(":bucket/**") { request, context in try await self.page(request, context) }
        return routes
    }

    /// The version a ticket grants, if it is valid.
    func granted(_ token: Substring?) -> PreviewTicket? {
        token.flatMap { signer.ticket($0) }
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
            download: "\(apiURL)/files/\(bucketID.lowercased)/\(path)?versionId=\(version.versionID.lowercased)&download")
        var preview = PreviewFile(path: "", key: version.key, size: file.size, mimetype: version.mimetype, links: links)
        let checksums = [("MD5", file.checksums.md5), ("SHA-256", file.checksums.sha256)]
        guard let previewer = registry.previewer(for: preview) else {
            return Self.html(PreviewDocument.cannotPreview(preview, reason: nil, checksums: checksums), status: .unsupportedMediaType, scripts: false)
        }
        let limits = PreviewLimits(maxBytes: Int64(settings.maxMB) << 20, deadline: .now + Self.timeLimit)
        do {
            let (path, temporary) = try await localCopy(file, limit: limits.maxBytes, whole: previewer.name == "archive")
            defer { if temporary { try? FileManager.default.removeItem(atPath: path) } }
            preview.path = path
            let input = preview
            let page = try await NIOThreadPool.singleton.runIfActive { try previewer.render(input, limits) }
            return Self.html(PreviewDocument.html(page, kind: previewer.name, file: preview), status: .ok, scripts: !page.scripts.isEmpty)
        } catch let failure as PreviewFailure {
            return Self.html(PreviewDocument.cannotPreview(preview, reason: failure.reason, checksums: checksums), status: .ok, scripts: false)
        }
    }

    /// A local file with the bytes: the stored file itself in a local location, else a copy of its first `limit`
    /// bytes in the scratch folder (`temporary`). An archive is listed from the whole file only.
    func localCopy(_ file: FileInstance, limit: Int64, whole: Bool) async throws -> (path: String, temporary: Bool) {
        if let path = try await files.administration.localPath(file) { return (path, false) }
        if whole && file.size > limit {
            throw PreviewFailure("The archive is larger than \(limit >> 20) MB, the most this server copies from remote storage for a preview.")
        }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let path = scratch + "/" + UUID().lowercased
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
        guard let ticket = granted(context.parameters.get("ticket").map { $0[...] }) else {
            throw APIError(.forbidden, "The preview ticket is not valid.")
        }
        let version = try await files.objects.object(
            bucketID: ticket.bucketID, key: try Self.key(request, after: 5), versionID: ticket.versionID, by: Self.ticketHolder)
        guard let file = version.file else { throw FilesError.objectNotFound }
        var response = try await DownloadResponse(
            service: files, version: version, file: file, request: request, forceDownload: false, mayRedirect: false
        ).make()
        response.headers[.accessControlAllowOrigin] = "*"
        return response
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

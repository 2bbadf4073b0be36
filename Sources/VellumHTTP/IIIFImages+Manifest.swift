import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import VellumCore
import VellumHTTPSupport

extension IIIFImages {
    /// Canvases a manifest has at most.
    static let maxCanvases = 1000

    /// The IIIF Presentation API 3.0 manifest of a bucket's images (api.md §11): one canvas per image among the
    /// head versions, in key order, at most `maxCanvases`; images that cannot be shown (damaged, over the limits)
    /// are left out. Needs the permission to list the bucket; 404 when it holds no image.
    func manifest(_ request: Request, bucketID: UUID, base: String, principal: Principal) async throws -> Response {
        let id = base + "/iiif/v3/manifest/" + bucketID.uuidString.lowercased()
        var images: [PresentationManifest.Image] = []
        var after: String?
        listing: while true {
            let page = try await files.buckets.list(
                ListQuery(bucketID: bucketID, afterKey: after, limit: BucketService.maxPageSize, allVersions: false), by: principal)
            for version in page.contents {
                guard let image = try await canvas(version, base: base, principal: principal) else { continue }
                images.append(image)
                if images.count == Self.maxCanvases { break listing }
            }
            guard page.hasMore, let last = page.contents.last else { break }
            after = last.key
        }
        guard !images.isEmpty else { throw IIIFError(.notFound, "The bucket holds no image a manifest could show.") }
        return manifestResponse(request, PresentationManifest(id: id, label: bucketID.uuidString.lowercased(), images: images), principal)
    }

    /// A version's canvas, if it is an image that can be shown.
    func canvas(_ version: ObjectVersion, base: String, principal: Principal) async throws -> PresentationManifest.Image? {
        guard version.file != nil, let type = version.mimetype, PyramidProducer.imageTypes.contains(type) else { return nil }
        let identifier = IIIFIdentifier(bucketID: version.bucketID, key: version.key)
        let target = Target(version: .v3, identifier: identifier, base: base + "/iiif/v3/" + identifier.encoded, shared: false)
        do {
            let (_, source) = try await imageSource(target, principal)
            let size = try await renderer.size(of: source)
            return PresentationManifest.Image(label: version.key, service: target.base, width: size.width, height: size.height)
        } catch is IIIFError {
            return nil
        }
    }

    /// The manifest with its entity tag (304 when `If-None-Match` names it); kept for a minute, by shared caches
    /// only when anyone may read it.
    func manifestResponse(_ request: Request, _ manifest: PresentationManifest, _ principal: Principal) -> Response {
        let body = manifest.json
        let etag = "\"m-\(Self.hash(body))\""
        var headers: HTTPFields = [
            .eTag: etag, .cacheControl: (principal == .anonymous ? "public" : "private") + ", max-age=60",
        ]
        if WriteCondition.matches(request.headers[.ifNoneMatch] ?? "", etag: etag, weak: true) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = PresentationManifest.mediaType
        headers[.contentLength] = String(body.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

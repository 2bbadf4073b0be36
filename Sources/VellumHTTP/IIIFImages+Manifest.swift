import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import VellumCore
import VellumHTTPSupport

extension IIIFImages {
    /// Canvases a manifest has at most.
    static let maxCanvases = 1000

    /// The IIIF Presentation API 3.0 manifest of a bucket's images (api.md §11), as `canvases` finds them; 404
    /// when there is none.
    func manifest(_ request: Request, bucketID: UUID, base: String, principal: Principal) async throws -> Response {
        let images = try await canvases(bucketID: bucketID, base: base, principal: principal)
        guard !images.isEmpty else { throw IIIFError(.notFound, "The bucket holds no image a manifest could show.") }
        let id = base + "/iiif/v3/manifest/" + bucketID.uuidString.lowercased()
        return PresentationManifest(id: id, label: bucketID.uuidString.lowercased(), images: images)
            .response(to: request, anonymous: principal == .anonymous)
    }

    /// A manifest's canvases for a bucket: one per image among its head versions, in key order, at most
    /// `maxCanvases`; images that cannot be shown (damaged, over the limits) are left out. Needs the permission to
    /// list the bucket.
    public func canvases(bucketID: UUID, base: String, principal: Principal) async throws -> [PresentationManifest.Image] {
        var images: [PresentationManifest.Image] = []
        var after: String?
        while true {
            let page = try await files.buckets.list(
                ListQuery(bucketID: bucketID, afterKey: after, limit: BucketService.maxPageSize, allVersions: false), by: principal)
            for version in page.contents {
                guard let image = try await canvas(version, base: base, principal: principal) else { continue }
                images.append(image)
                if images.count == Self.maxCanvases { return images }
            }
            guard page.hasMore, let last = page.contents.last else { return images }
            after = last.key
        }
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
}

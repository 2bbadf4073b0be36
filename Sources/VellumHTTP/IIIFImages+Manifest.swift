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
                for image in try await canvases(version, base: base, principal: principal) {
                    images.append(image)
                    if images.count == Self.maxCanvases { return images }
                }
            }
            guard page.hasMore, let last = page.contents.last else { return images }
            after = last.key
        }
    }

    /// A version's canvases: one per page of a PDF or multi-page TIFF (at most `maxPages`), else one for an image;
    /// none for what cannot be shown. The caller may list the bucket, so may read its versions.
    func canvases(_ version: ObjectVersion, base: String, principal: Principal) async throws -> [PresentationManifest.Image] {
        guard let file = version.file, let type = version.mimetype,
            type == Self.pdfType || PyramidProducer.imageTypes.contains(type)
        else { return [] }
        do {
            // A PDF's page sizes are known without drawing; an image's come from its header (its pyramid's, once
            // built: an image in S3 is not copied for its canvas). Only TIFFs are read for their pages.
            var sizes: [(width: Int, height: Int)?] = []
            if type == Self.pdfType {
                let pages = try await renderer.pdfPages(try await copies.path(of: file), limit: Self.maxPages)
                sizes = (1...max(pages.sizes.count, 1)).map { try? renderer.pdfPageSize(pages, $0) }
            } else {
                let count = type == Self.tiffType ? try await renderer.tiffPages(try await copies.path(of: file), limit: Self.maxPages)?.count : nil
                for n in 1...max(min(count ?? 1, Self.maxPages), 1) {
                    do {
                        sizes.append(try await renderer.size(of: try await source(of: file, mimetype: type, page: n)))
                    } catch is IIIFError {
                        sizes.append(nil)  // a page that cannot be shown
                    }
                }
            }
            let identifier = IIIFIdentifier(bucketID: version.bucketID, key: version.key)
            return sizes.enumerated().compactMap { index, size in
                guard let size else { return nil }
                return PresentationManifest.Image(
                    label: sizes.count > 1 ? "\(version.key), page \(index + 1)" : version.key,
                    service: base + "/iiif/v3/" + identifier.page(index + 1).encoded, width: size.width, height: size.height)
            }
        } catch is IIIFError {
            return []
        }
    }
}

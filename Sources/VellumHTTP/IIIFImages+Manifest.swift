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
    /// none for what cannot be shown.
    func canvases(_ version: ObjectVersion, base: String, principal: Principal) async throws -> [PresentationManifest.Image] {
        guard let file = version.file, let type = version.mimetype,
            type == Self.pdfType || PyramidProducer.imageTypes.contains(type)
        else { return [] }
        let identifier = IIIFIdentifier(bucketID: version.bucketID, key: version.key)
        do {
            // Only PDFs and TIFFs are read for their pages (an image in S3 is not copied for its canvas: its pyramid has the size).
            let pages =
                type == Self.pdfType
                ? try await renderer.pdfPages(try await copies.path(of: file), limit: Self.maxPages)
                : type == Self.tiffType ? try await renderer.tiffPages(try await copies.path(of: file), limit: Self.maxPages) : nil
            let count = min(pages?.count ?? 1, Self.maxPages)
            var images: [PresentationManifest.Image] = []
            for n in 1...max(count, 1) {
                let label = count > 1 ? "\(version.key), page \(n)" : version.key
                let service = base + "/iiif/v3/" + identifier.page(n).encoded
                var size = pages?.sizes.dropFirst(n - 1).first
                if size == nil {
                    let target = Target(version: .v3, identifier: identifier.page(n), base: service, shared: false)
                    do {
                        let (width, height) = try await renderer.size(of: try await imageSource(target, principal).1)
                        size = PageList.PixelSize(width: width, height: height)
                    } catch is IIIFError {
                        continue  // a page that cannot be shown
                    }
                }
                guard let size, size.width * size.height <= renderer.settings.maxPixels else { continue }
                images.append(PresentationManifest.Image(label: label, service: service, width: size.width, height: size.height))
            }
            return images
        } catch is IIIFError {
            return []
        }
    }
}

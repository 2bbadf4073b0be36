import Foundation
import Hummingbird
import IIIFGrammar
import RecordExports
import VellumCore
import VellumHTTPSupport
import VellumRecords

extension RecordsController {
    /// `GET /records/{id}/manifest` (api.md §11): a IIIF Presentation API 3.0 manifest of a published record's
    /// images, with its title as label, its description as summary, its creators, date, type, keywords, version,
    /// DOI and licence as metadata, a Creative Commons licence as `rights`, its citation as the required statement
    /// and its page as homepage. Only files the caller may read: 404 without any.
    func manifest(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let record = try await service.record(try Self.id(context), by: context.principal)
        guard record.status == .published, let canvases else {
            throw RecordsError(.notFound, "Only a published record has a IIIF manifest.")
        }
        let images = try await canvases(record.bucketID, publicURL, context.principal)
        guard !images.isEmpty else { throw RecordsError(.notFound, "The record has no image you may see.") }
        let description = Exports.manifestDescription(try await service.exportRecord(record) { _ in "" })
        var manifest = PresentationManifest(
            id: "\(publicURL)/records/\(record.id)/manifest", label: description.label, images: images)
        manifest.summary = description.summary
        manifest.metadata = description.metadata
        manifest.rights = description.rights
        manifest.requiredStatement = ("Attribution", description.citation)
        manifest.homepage = (service.site.recordURL(record.id), description.label)
        return manifest.response(to: request, anonymous: context.principal == .anonymous)
    }
}

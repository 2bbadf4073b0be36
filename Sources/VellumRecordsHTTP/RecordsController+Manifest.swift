import Foundation
import Hummingbird
import IIIFGrammar
import JSONSchema
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
        let export = try await service.exportRecord(record) { _ in "" }
        let metadata = record.document["metadata"] ?? .object([:])
        let title = metadata["title"]?.stringValue ?? "Record \(record.id)"
        var manifest = PresentationManifest(id: "\(publicURL)/records/\(record.id)/manifest", label: title, images: images)
        manifest.summary = metadata["description"]?.stringValue
        let creators = (metadata["creators"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let keywords = (metadata["keywords"]?.arrayValue ?? []).compactMap(\.stringValue)
        let pairs: [(String, String?)] = [
            ("Creators", creators.isEmpty ? nil : creators.joined(separator: "; ")),
            ("Publication date", metadata["publication_date"]?.stringValue),
            ("Resource type", metadata["resource_type"]?.stringValue),
            ("Keywords", keywords.isEmpty ? nil : keywords.joined(separator: ", ")),
            ("Version", metadata["version"]?.stringValue),
            ("DOI", export.doi.map { "https://doi.org/\($0)" }),
            ("Licence", metadata["license"]?.stringValue),
        ]
        manifest.metadata = pairs.compactMap { label, value in value.map { (label, $0) } }
        manifest.rights = metadata["license"]?.stringValue.flatMap(Self.creativeCommons)
        manifest.requiredStatement = ("Attribution", Exports.citation(export))
        manifest.homepage = (service.site.recordURL(record.id), title)
        return manifest.response(to: request, anonymous: context.principal == .anonymous)
    }

    /// A Creative Commons licence's URI, as IIIF's `rights` takes it (`http`), from its SPDX id (`CC-BY-4.0`,
    /// `CC0-1.0`); nil for other licences.
    static func creativeCommons(_ spdx: String) -> String? {
        let parts = spdx.lowercased().split(separator: "-").map(String.init)
        if parts == ["cc0", "1.0"] { return "http://creativecommons.org/publicdomain/zero/1.0/" }
        guard parts.count >= 3, parts[0] == "cc", let version = parts.last, ["1.0", "2.0", "2.5", "3.0", "4.0"].contains(version),
            ["by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"].contains(parts.dropFirst().dropLast().joined(separator: "-"))
        else { return nil }
        return "http://creativecommons.org/licenses/\(parts.dropFirst().dropLast().joined(separator: "-"))/\(version)/"
    }
}

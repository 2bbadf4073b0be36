import Foundation

extension FilesService {
    /// Asks, in the transaction that commits a new version, for the derivatives its file gets: a IIIF pyramid for
    /// an image.
    static func requestDerivatives(for version: ObjectVersion, _ session: any MetadataSession) async throws {
        guard let file = version.file, let type = version.mimetype, DerivativeKind.pyramidTypes.contains(type) else {
            return
        }
        try await session.requestDerivative(.pyramid, of: file.id, at: Date())
    }
}

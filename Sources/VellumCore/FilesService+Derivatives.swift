import Foundation

extension FilesService {
    /// Asks, in the transaction that commits a new version, for the derivatives its file gets: one of each kind
    /// whose producer accepts its media type (a IIIF pyramid for an image), each a job for the producer's worker.
    func requestDerivatives(for version: ObjectVersion, _ session: any MetadataSession) async throws {
        guard let file = version.file, let type = version.mimetype else { return }
        for producer in context.producers where producer.accepts(mimetype: type) {
            let now = Date()
            if try await session.requestDerivative(producer.kind, of: file.id, at: now) {
                try await session.enqueueJob(producer.kind.jobKind, subject: file.id.lowercased, payload: nil, due: now, now: now)
            }
        }
    }
}

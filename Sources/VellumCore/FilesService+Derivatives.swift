import Foundation

extension FilesService {
    /// Asks, in the transaction that commits a new version, for the derivatives its file gets: one of each kind
    /// whose producer accepts its media type and key (a IIIF pyramid for an image), each a job for the producer's
    /// worker, with the request as the job's payload.
    func requestDerivatives(for version: ObjectVersion, _ session: any MetadataSession) async throws {
        guard let file = version.file, let type = version.mimetype else { return }
        let request = DerivativeRequest(key: version.key, mimetype: type)
        for producer in context.producers where producer.accepts(request) {
            let now = Date()
            if try await session.requestDerivative(producer.kind, of: file.id, at: now) {
                let payload = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
                try await session.enqueueJob(producer.kind.jobKind, subject: file.id.lowercased, payload: payload, due: now, now: now)
            }
        }
    }
}

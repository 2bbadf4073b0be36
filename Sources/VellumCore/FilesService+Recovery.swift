import Foundation

extension FilesService {
    /// Start-up recovery: settles blobs whose metadata committed, deletes those whose upload never did (keeping
    /// multipart uploads that are still open), then runs maintenance, which finishes interrupted deletions and
    /// reconciles bucket sizes. Run before serving.
    public func recover(uploadExpiry: TimeInterval) async throws {
        var discarded = 0
        for (location, backend) in try await storage.all() {
            for id in try await backend.abandonedBlobs() {
                if try await store.read({ try await $0.fileExists(id, in: location.name) }) {
                    try await backend.settle(id)
                } else if try await store.read({ try await $0.upload(fileID: id) }) != nil {
                    continue  // a multipart upload still receiving parts
                } else {
                    try await backend.delete(id)
                    discarded += 1
                }
            }
            logger.debug("recovered location", metadata: ["location": "\(location.name)"])
        }
        if discarded > 0 { logger.notice("start-up recovery", metadata: ["discarded_uploads": "\(discarded)"]) }
        _ = try await maintain(uploadExpiry: uploadExpiry, reconcile: true)
    }
}

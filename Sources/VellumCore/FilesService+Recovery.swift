import Foundation

extension FilesService {
    /// Start-up recovery: settles blobs whose metadata committed, deletes those whose upload never did, and
    /// finishes interrupted deletions. Run before serving.
    public func recover() async throws {
        var discarded = 0
        for (location, backend) in try await storage.all() {
            for id in try await backend.pendingBlobs() {
                if try await store.read({ try await $0.fileExists(id) }) {
                    try await backend.settle(id)
                } else {
                    try await backend.delete(id)
                    discarded += 1
                }
            }
            logger.debug("recovered location", metadata: ["location": "\(location.name)"])
        }
        let deleting = try await store.read { try await $0.filesMarkedDeleting() }
        for file in deleting { await purge(file) }
        if discarded + deleting.count > 0 {
            logger.notice(
                "start-up recovery", metadata: ["discarded_uploads": "\(discarded)", "purged_files": "\(deleting.count)"])
        }
    }
}

import Foundation

extension FilesAdministration {
    /// Start-up recovery: a maintenance pass (see `maintain`) that also reconciles bucket sizes. Run before
    /// serving.
    public func recover(uploadExpiry: TimeInterval) async throws {
        _ = try await maintain(uploadExpiry: uploadExpiry, reconcile: true)
    }

    /// Settles the pending blobs no live process is writing whose metadata committed (in their location), deletes
    /// those whose upload never did (keeping multipart uploads that are still open); returns how many it deleted.
    /// Safe while daemons run: also part of every maintenance pass, for what a crashed daemon sharing a location
    /// left while the others kept running.
    func recoverAbandonedBlobs() async throws -> Int {
        var discarded = 0
        for (location, backend) in try await storage.all() {
            do {
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
            } catch {
                // One location out of reach (an S3 store down) does not stop the others, nor start-up.
                logger.error("could not recover location", metadata: ["location": "\(location.name)", "error": "\(error)"])
            }
        }
        return discarded
    }
}

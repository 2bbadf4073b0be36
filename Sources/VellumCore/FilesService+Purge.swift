import Foundation

/// Removing bytes: of files marked for deletion, of unfinished multipart uploads.
extension FilesService {
    /// Deletes the bytes of a file marked for deletion, then its row; a crash or failure in between is finished by
    /// the next maintenance pass. Returns whether it succeeded.
    @discardableResult
    func purge(_ file: FileInstance) async -> Bool {
        do {
            try await storage.backend(for: file.location).delete(file.id)
            try await store.write { try await $0.deleteFile(file.id) }
            return true
        } catch {
            logger.error("could not free file bytes; will retry", metadata: ["file": "\(file.id)", "error": "\(error)"])
            return false
        }
    }

    /// Removes an unfinished upload (abort, or expiry when it has had no activity since `inactiveSince`): metadata
    /// first, then the bytes.
    func discard(_ upload: MultipartUpload, inactiveSince: Date? = nil) async throws {
        let removed: Bool = try await store.write { session in
            guard let current = try await session.upload(upload.id), !current.completed else { return false }
            // A completion touches the upload before it publishes the file: an expiry decided earlier yields.
            if let inactiveSince, current.updated >= inactiveSince { return false }
            try await session.deleteUpload(upload.id)
            try await session.addToBucketSize(upload.bucketID, -upload.size, updated: Date())
            return true
        }
        guard removed else { throw FilesError.uploadNotFound }
        await progress.forget(upload.id)
        do {
            try await storage.backend(for: upload.location).delete(upload.fileID)
        } catch {
            logger.error("could not delete upload bytes; a maintenance pass will", metadata: ["file": "\(upload.fileID)"])
        }
    }
}

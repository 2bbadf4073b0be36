import Foundation

extension FilesService {
    /// The version a download refers to: the head, or the given version; delete markers are not found.
    public func object(bucketID: UUID, key rawKey: String, versionID: UUID?, by principal: Principal) async throws
        -> ObjectVersion
    {
        let key = try ObjectKey.validate(rawKey)
        // One read (one trip to a reader's thread; one query for a head); the version counts only if the bucket is
        // readable.
        let version = try await store.read { session -> ObjectVersion? in
            if let versionID {
                guard let bucket = try await session.bucket(bucketID), Self.canRead(bucket, principal) else {
                    throw VellumError.bucketNotFound
                }
                return try await session.version(bucketID: bucketID, versionID: versionID)
            }
            guard let (bucket, head) = try await session.bucketAndHead(bucketID: bucketID, key: key),
                Self.canRead(bucket, principal)
            else { throw VellumError.bucketNotFound }
            return head
        }
        guard let version, version.key == key, !version.isDeleteMarker else {
            throw versionID == nil ? VellumError.objectNotFound : VellumError.versionNotFound
        }
        return version
    }

    /// Soft delete: a delete marker becomes the head; every version and its bytes stay.
    public func deleteObject(bucketID: UUID, key rawKey: String, by principal: Principal) async throws {
        let key = try ObjectKey.validate(rawKey)
        _ = try await writableBucket(bucketID, by: principal)
        try await freeingSpace {
            try await store.write { session in
                guard let bucket = try await session.bucket(bucketID) else { throw VellumError.bucketNotFound }
                guard !bucket.locked else { throw VellumError.bucketLocked }
                guard let head = try await session.headVersion(bucketID: bucketID, key: key), !head.isDeleteMarker else {
                    throw VellumError.objectNotFound
                }
                let now = Date()
                try await session.insertHeadVersion(
                    ObjectVersion(
                        versionID: UUID(), bucketID: bucketID, key: key, file: nil, mimetype: nil, isHead: true,
                        created: now, updated: now))
            }
        }
    }

    /// Removes one version for good; its bytes are freed once no other version uses them.
    public func deleteVersion(bucketID: UUID, key rawKey: String, versionID: UUID, by principal: Principal)
        async throws
    {
        let key = try ObjectKey.validate(rawKey)
        _ = try await writableBucket(bucketID, by: principal)
        let orphans: [FileInstance] = try await freeingSpace {
            try await store.write { session in
                guard let bucket = try await session.bucket(bucketID) else { throw VellumError.bucketNotFound }
                guard !bucket.locked else { throw VellumError.bucketLocked }
                guard let version = try await session.version(bucketID: bucketID, versionID: versionID),
                    version.key == key
                else { throw VellumError.versionNotFound }
                try await session.deleteVersion(versionID)
                if version.isHead { try await session.promoteNewestVersion(bucketID: bucketID, key: key) }
                guard let file = version.file else { return [] }
                try await session.addToBucketSize(bucketID, -file.size, updated: Date())
                guard try await session.fileReferenceCount(file.id) == 0 else { return [] }
                return [file] + (try await session.markFileDeleting(file.id))
            }
        }
        for file in orphans { await purge(file) }
    }

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
}

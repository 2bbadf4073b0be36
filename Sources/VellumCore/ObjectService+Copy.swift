import Foundation

extension ObjectService {
    /// Makes a new head version of `request.key` that shares the bytes of another version: nothing is copied, the
    /// file is kept while any version uses it, and the new version counts towards its bucket's quota.
    public func copy(
        bucketID sourceBucket: UUID, key sourceKey: String, versionID: UUID?, to request: UploadRequest,
        by principal: Principal
    ) async throws -> ObjectVersion {
        let key = try ObjectKey(request.key)
        let source = try await object(bucketID: sourceBucket, key: sourceKey, versionID: versionID, by: principal)
        guard let file = source.file else { throw FilesError.objectNotFound }
        let bucket = try await writableBucket(request.bucketID, by: principal)
        try requireSpace()
        if let limit = bucket.uploadLimit, file.size > limit.bytes { throw limit.error }
        try await checkEarly(request.condition, bucketID: bucket.id, key: key)
        var shared = request
        if shared.tags.isEmpty { shared.tags = source.tags }
        let mimetype = request.contentType.flatMap(MimeDetector.meaningful) ?? source.mimetype
        // The source version must still exist when the copy commits, or its file may already be on its way out.
        return try await commit(file, isNew: false, to: bucket, key: key, mimetype: mimetype, request: shared) { session in
            guard try await session.version(bucketID: sourceBucket, versionID: source.versionID) != nil else {
                throw FilesError.objectNotFound
            }
        }
    }
}

import Foundation
import NIOCore

/// Objects and their versions: uploads, downloads, copies, deletions.
public struct ObjectService: FilesService {
    public let context: FilesContext

    public init(context: FilesContext) { self.context = context }

    /// Where a download of the file should be redirected (see `StorageBackend.downloadURL`), if anywhere.
    public func downloadURL(_ file: FileInstance, contentType: String, disposition: String) async throws -> String? {
        try await storage.backend(for: file.location).downloadURL(file.id, contentType: contentType, disposition: disposition)
    }

    /// Opens part of a stored file (all of it when `range` is nil) for streaming.
    public func open(_ file: FileInstance, range: Range<Int64>?) async throws -> any BlobReader {
        try await storage.backend(for: file.location).open(file.id, range: range ?? 0..<file.size)
    }
}

extension ObjectService {
    /// The version a download refers to: the head, or the given version; delete markers are not found.
    public func object(bucketID: UUID, key rawKey: String, versionID: UUID?, by principal: Principal) async throws
        -> ObjectVersion
    {
        let key = try ObjectKey(rawKey)
        // One read (one trip to a reader's thread; one query for a head); the version counts only if the bucket is
        // readable.
        let version = try await store.read { session -> ObjectVersion? in
            if let versionID {
                guard let bucket = try await session.bucket(bucketID), Self.canRead(bucket, principal) else {
                    throw FilesError.bucketNotFound
                }
                return try await session.version(bucketID: bucketID, versionID: versionID)
            }
            guard let (bucket, head) = try await session.bucketAndHead(bucketID: bucketID, key: key),
                Self.canRead(bucket, principal)
            else { throw FilesError.bucketNotFound }
            return head
        }
        guard let version, version.key == key.value, !version.isDeleteMarker else {
            throw versionID == nil ? FilesError.objectNotFound : FilesError.versionNotFound
        }
        return version
    }

    /// A version by its id alone, whatever its key (a preview ticket names the version, not the key); delete
    /// markers are not found.
    public func version(bucketID: UUID, versionID: UUID, by principal: Principal) async throws -> ObjectVersion {
        let version = try await store.read { session -> ObjectVersion? in
            guard let bucket = try await session.bucket(bucketID), Self.canRead(bucket, principal) else {
                throw FilesError.bucketNotFound
            }
            return try await session.version(bucketID: bucketID, versionID: versionID)
        }
        guard let version, !version.isDeleteMarker else { throw FilesError.versionNotFound }
        return version
    }

    /// Soft delete: a delete marker becomes the head; every version and its bytes stay.
    public func deleteObject(bucketID: UUID, key rawKey: String, by principal: Principal) async throws {
        let key = try ObjectKey(rawKey)
        _ = try await writableBucket(bucketID, by: principal)
        try await freeingSpace {
            try await store.write { session in
                guard let bucket = try await session.bucket(bucketID) else { throw FilesError.bucketNotFound }
                guard !bucket.locked else { throw FilesError.bucketLocked }
                guard let head = try await session.headVersion(bucketID: bucketID, key: key), !head.isDeleteMarker else {
                    throw FilesError.objectNotFound
                }
                let now = Date()
                try await session.insertHeadVersion(
                    ObjectVersion(
                        versionID: UUID(), bucketID: bucketID, key: key.value, file: nil, mimetype: nil, isHead: true,
                        created: now, updated: now))
            }
        }
    }

    /// Removes one version for good; its bytes are freed once no other version uses them.
    public func deleteVersion(bucketID: UUID, key rawKey: String, versionID: UUID, by principal: Principal)
        async throws
    {
        let key = try ObjectKey(rawKey)
        _ = try await writableBucket(bucketID, by: principal)
        let orphans: [FileInstance] = try await freeingSpace {
            try await store.write { session in
                guard let bucket = try await session.bucket(bucketID) else { throw FilesError.bucketNotFound }
                guard !bucket.locked else { throw FilesError.bucketLocked }
                guard let version = try await session.version(bucketID: bucketID, versionID: versionID),
                    version.key == key.value
                else { throw FilesError.versionNotFound }
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

    /// Streams `body` into a new head version of `request.key`. The bytes are hashed and written in one pass,
    /// made durable, and only then is the version committed; on any failure nothing is left behind.
    public func upload<Body: AsyncSequence>(
        _ request: UploadRequest, body: Body, by principal: Principal
    ) async throws -> ObjectVersion where Body.Element == ByteBuffer {
        let key = try ObjectKey(request.key)
        let bucket = try await writableBucket(request.bucketID, by: principal)
        try requireSpace()
        let limit = bucket.uploadLimit
        if let limit, let length = request.contentLength, length > limit.bytes { throw limit.error }
        try await checkEarly(request.condition, bucketID: bucket.id, key: key)

        let fileID = UUID()
        let backend = try await storage.backend(for: bucket.location)
        let writer = try await backend.create(fileID)
        // Into a bucket with a quota, the upload holds its bytes of it while in flight (see FilesService+Quota).
        var held: Int64 = 0
        do {
            var grow: ((Int64) async throws -> Void)? = nil
            if bucket.quotaLeft != nil {
                // The blob is listed as pending before it holds anything: maintenance releases the holds of blobs
                // that are not (see `releaseAbandonedHolds`).
                try await writer.write([])
                if let length = request.contentLength {
                    try await hold(length, for: fileID, in: bucket.id, held: &held, exact: true)
                } else {
                    grow = { try await self.hold($0, for: fileID, in: bucket.id, held: &held, exact: false) }
                }
            }
            let streamed = try await stream(body, to: writer, request: request, limit: limit, grow: grow)
            try Self.verify(streamed.checksums, against: request)
            try await writer.finish(writing: streamed.unwritten)
            let mimetype = mime.detect(clientType: request.contentType, key: key.value, prefix: streamed.prefix)
            let file = FileInstance(
                id: fileID, location: bucket.location, size: streamed.size, checksums: streamed.checksums, created: Date())
            let version = try await commit(
                file, isNew: true, to: bucket, key: key, mimetype: mimetype, request: request, held: held)
            await settle(fileID, on: backend)
            return version
        } catch {
            if held > 0 { await releaseHold(fileID) }
            await writer.abort()
            throw error
        }
    }
}

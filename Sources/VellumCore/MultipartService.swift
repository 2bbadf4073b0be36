import Foundation
import NIOCore

/// Multipart uploads: starting them, their parts, completing and aborting them.
public struct MultipartService: FilesService {
    public let context: FilesContext

    public init(context: FilesContext) { self.context = context }
}

/// What a client asks for when it starts a multipart upload.
public struct MultipartRequest: Sendable {
    public var bucketID: UUID
    public var key: String
    public var size: Int64
    public var partSize: Int64
    public var contentType: String?
    public var tags: [String: String]

    public init(
        bucketID: UUID, key: String, size: Int64, partSize: Int64, contentType: String? = nil, tags: [String: String] = [:]
    ) {
        self.bucketID = bucketID
        self.key = key
        self.size = size
        self.partSize = partSize
        self.contentType = contentType
        self.tags = tags
    }
}

/// An upload with the parts received so far.
public struct MultipartStatus: Sendable {
    public var upload: MultipartUpload
    public var parts: [UploadPart]
}

extension FilesError {
    public static let invalidPartSize = FilesError(.invalid, "Invalid part size.")
    public static let invalidFileSize = FilesError(.invalid, "Invalid file size.")
    public static let invalidPartNumber = FilesError(.invalid, "Invalid part number.")
    public static let missingParts = FilesError(.invalid, "Not all parts have been uploaded.")
    public static let uploadCompleted = FilesError(.forbidden, "Multipart upload is already completed.")
    public static let uploadNotFound = FilesError(.notFound, "Multipart upload does not exist.")
}

extension MultipartService {
    /// Starts a multipart upload: checks the sizes, reserves `size` bytes of the bucket's quota and creates the
    /// pending file the parts are written into. The upload's row commits first: from then on recovery (which runs
    /// in every maintenance pass) knows the pending file as an open upload's.
    public func startMultipart(_ request: MultipartRequest, by principal: Principal) async throws -> MultipartUpload {
        let key = try ObjectKey(request.key)
        guard (MultipartLimits.minPartSize...MultipartLimits.maxPartSize).contains(request.partSize) else {
            throw FilesError.invalidPartSize
        }
        guard request.size >= 1, request.size <= request.partSize * MultipartLimits.maxParts else {
            throw FilesError.invalidFileSize
        }
        let bucket = try await writableBucket(request.bucketID, by: principal)
        try requireSpace()
        if let limit = bucket.uploadLimit, request.size > limit.bytes { throw limit.error }
        let now = Date()
        let upload = MultipartUpload(
            id: UUID(), bucketID: bucket.id, key: key.value, fileID: UUID(), location: bucket.location, size: request.size,
            partSize: request.partSize, contentType: request.contentType, tags: request.tags, created: now, updated: now)
        let backend = try await storage.backend(for: bucket.location)
        try await store.write { session in
            try await Self.reserve(upload.size, in: bucket.id, fileSize: upload.size, session)
            try await session.insertUpload(upload)
        }
        do {
            try await backend.createMultipart(upload.fileID, size: upload.size)
        } catch {
            try? await discard(upload)
            throw error
        }
        return upload
    }

    /// Writes part `number` in place, hashing it on the way; a part may be sent again, and parts may arrive in any
    /// order and in parallel. Until it commits, a part that was sent before counts as missing.
    public func uploadPart<Body: AsyncSequence>(
        uploadID: UUID, bucketID: UUID, key rawKey: String, number: Int, request: UploadRequest, body: Body,
        by principal: Principal
    ) async throws -> (MultipartUpload, UploadPart) where Body.Element == ByteBuffer {
        let upload = try await openUpload(uploadID, bucketID: bucketID, key: rawKey, by: principal)
        guard (0...upload.lastPartNumber).contains(number) else { throw FilesError.invalidPartNumber }
        try requireSpace()
        if let length = request.contentLength, length != Int64(upload.range(ofPart: number).count) {
            throw FilesError.invalidPartSize
        }
        guard await progress.claim(uploadID, part: number) else {
            throw FilesError(.conflict, "Part \(number) of this upload is being uploaded by another request.")
        }
        do {
            let part = try await writePart(number, of: upload, request: request, body: body)
            await progress.release(uploadID, part: number)
            return (upload, part)
        } catch {
            await progress.release(uploadID, part: number)
            throw error
        }
    }

    private func writePart<Body: AsyncSequence>(
        _ number: Int, of upload: MultipartUpload, request: UploadRequest, body: Body
    ) async throws -> UploadPart where Body.Element == ByteBuffer {
        // Parts are written only while the upload is open: once a completion committed, the pending file is the
        // version's file and must never be written again. Where parts are written in place, a part sent again
        // stops counting before its bytes are overwritten; where the store replaces a part only once the new one
        // is whole (S3), the old one counts until then.
        let backend = try await storage.backend(for: upload.location)
        let inPlace = backend.readsPendingParts
        try await store.write { session in
            guard let current = try await session.upload(upload.id) else { throw FilesError.uploadNotFound }
            guard !current.completed else { throw FilesError.uploadCompleted }
            if inPlace { try await session.deletePart(uploadID: upload.id, number: number) }
        }
        await progress.invalidate(upload.id, part: number)
        // Where parts cannot be read back before completion, a part that continues the hashed prefix is hashed on
        // its way through, so an upload sent in order needs no reading at completion.
        let continuation = inPlace ? nil : await progress.continuation(upload.id, part: number)

        let range = upload.range(ofPart: number)
        let expected = Int64(range.count)
        let writer: any BlobWriter
        let hashing: HashingWriter?
        do {
            let partWriter = try await backend.partWriter(upload.fileID, part: number, range: range)
            hashing = continuation.map { HashingWriter(partWriter, continuing: $0) }
            writer = hashing ?? partWriter
        } catch {
            throw try await explained(error, upload)
        }
        let checksums: Checksums
        do {
            var sized = request
            sized.contentLength = expected
            let streamed = try await stream(body, to: writer, request: sized, limit: (expected, .invalidPartSize))
            guard streamed.size == expected else { throw FilesError.invalidPartSize }
            do {
                try Self.verify(streamed.checksums, against: request)
            } catch {
                // Every byte went to the store, which may have replaced the old part with these: it counts no more.
                if !inPlace { try await store.write { try await $0.deletePart(uploadID: upload.id, number: number) } }
                throw error
            }
            try await writer.finish(writing: streamed.unwritten)
            checksums = streamed.checksums
        } catch {
            await writer.abort()
            throw try await explained(error, upload)
        }
        let now = Date()
        let part = UploadPart(uploadID: upload.id, number: number, size: expected, checksums: checksums, created: now, updated: now)
        try await store.write { session in
            guard let current = try await session.touchUpload(upload.id, updated: now) else { throw FilesError.uploadNotFound }
            guard !current.completed else { throw FilesError.uploadCompleted }
            try await session.savePart(part)
        }
        if inPlace {
            await progress.advance(upload.id, open: partOpener(upload, backend))
        } else if let hashing, let continuation {
            let (md5, sha256) = await hashing.states()
            await progress.extend(upload.id, from: continuation, to: md5, sha256)
        }
        return part
    }

    /// A storage failure while a part is written may be the upload's own end: expiry or an abort may have removed
    /// it, and its blob, since it was looked up. The client is then told that, not that storage failed.
    private func explained(_ error: any Error, _ upload: MultipartUpload) async throws -> any Error {
        guard error is StorageError, try await store.read({ try await $0.upload(upload.id) }) == nil else { return error }
        return FilesError.uploadNotFound
    }

    /// The upload and its parts.
    public func multipartStatus(uploadID: UUID, bucketID: UUID, key rawKey: String, by principal: Principal) async throws
        -> MultipartStatus
    {
        let key = try ObjectKey(rawKey)
        _ = try await readableBucket(bucketID, by: principal)
        guard let status = try await multipartStatusIfPresent(uploadID, bucketID: bucketID, key: key) else {
            throw FilesError.uploadNotFound
        }
        return status
    }

    /// The bucket's multipart uploads, oldest first.
    public func multipartUploads(bucketID: UUID, by principal: Principal) async throws -> [MultipartUpload] {
        _ = try await readableBucket(bucketID, by: principal)
        return try await store.read { try await $0.uploads(bucketID: bucketID) }
    }

    /// Completes an upload: every part must be there. Hashes what the background worker has not, makes the file
    /// durable at its final place, then commits the version; the quota reserved at the start carries over.
    /// Completing a completed upload again answers the same result, so a client may safely retry.
    public func completeMultipart(uploadID: UUID, bucketID: UUID, key rawKey: String, by principal: Principal)
        async throws -> (MultipartUpload, ObjectVersion)
    {
        let key = try ObjectKey(rawKey)
        let bucket = try await readableBucket(bucketID, by: principal)
        try Self.checkOwner(bucket, principal)
        guard let status = try await multipartStatusIfPresent(uploadID, bucketID: bucketID, key: key) else {
            throw FilesError.uploadNotFound
        }
        if let versionID = status.upload.versionID {
            return (status.upload, try await completedVersion(bucketID: bucketID, versionID: versionID))
        }
        guard !bucket.locked else { throw FilesError.bucketLocked }
        let upload = status.upload
        guard status.parts.map(\.number) == Array(0..<upload.partCount) else { throw FilesError.missingParts }

        let backend = try await storage.backend(for: upload.location)
        let checksums: Checksums
        let prefix: [UInt8]
        do {
            let hash = {
                (
                    try await self.progress.finish(uploadID, partCount: upload.partCount, open: self.partOpener(upload, backend)),
                    try await self.readPrefix(upload, backend)
                )
            }
            // Parts are hashed before the blob is made whole where the backend can read them (the file is then
            // never published unless it is right), after it otherwise.
            let early = backend.readsPendingParts ? try await hash() : nil
            // Activity: an expiry that chose this upload earlier now leaves it alone (see `discard`).
            guard try await store.write({ try await $0.touchUpload(uploadID, updated: Date()) }) != nil else {
                throw FilesError.uploadNotFound
            }
            try await backend.completeMultipart(upload.fileID, parts: status.parts)
            (checksums, prefix) = if let early { early } else { try await hash() }
        } catch {
            // A concurrent completion may have finished first (and moved the file): answer as it did.
            if let done = try? await multipartStatusIfPresent(uploadID, bucketID: bucketID, key: key, parts: false),
                let versionID = done.upload.versionID
            {
                await progress.forget(uploadID)
                return (done.upload, try await completedVersion(bucketID: bucketID, versionID: versionID))
            }
            throw error
        }
        let mimetype = mime.detect(clientType: upload.contentType, key: key.value, prefix: prefix)
        let result: (MultipartUpload, ObjectVersion) = try await store.write { session in
            guard var current = try await session.upload(uploadID) else { throw FilesError.uploadNotFound }
            if let versionID = current.versionID {  // a concurrent completion won
                guard let version = try await session.version(bucketID: bucketID, versionID: versionID) else {
                    throw FilesError.versionNotFound
                }
                return (current, version)
            }
            guard let live = try await session.bucket(bucketID) else { throw FilesError.bucketNotFound }
            guard !live.locked else { throw FilesError.bucketLocked }
            // The parts must still be the ones that were hashed.
            let parts = try await session.parts(uploadID: uploadID)
            guard parts.map(\.number) == Array(0..<upload.partCount), parts == status.parts else {
                throw FilesError(.conflict, "Parts changed while the upload was being completed; complete it again.")
            }
            let now = Date()
            let file = FileInstance(
                id: upload.fileID, location: upload.location, size: upload.size, checksums: checksums, created: now)
            try await session.insertFile(file)
            let version = try await session.insertHeadVersion(
                ObjectVersion(
                    versionID: UUID(), bucketID: bucketID, key: key.value, file: file, mimetype: mimetype, isHead: true,
                    tags: upload.tags, created: now, updated: now))
            try await self.requestDerivatives(for: version, session)
            try await session.completeUpload(uploadID, versionID: version.versionID, updated: now)
            current.versionID = version.versionID
            current.updated = now
            return (current, version)
        }
        await progress.forget(uploadID)
        await settle(upload.fileID, on: backend)
        return result
    }

    /// Aborts an upload that has not completed: its reservation is released and its bytes deleted.
    public func abortMultipart(uploadID: UUID, bucketID: UUID, key rawKey: String, by principal: Principal) async throws {
        let key = try ObjectKey(rawKey)
        let bucket = try await writableBucket(bucketID, by: principal)
        guard let status = try await multipartStatusIfPresent(uploadID, bucketID: bucket.id, key: key) else {
            throw FilesError.uploadNotFound
        }
        guard !status.upload.completed else { throw FilesError.uploadCompleted }
        try await freeingSpace { try await discard(status.upload) }
    }

    // MARK: helpers

    /// An upload of this bucket and key that can still take parts.
    private func openUpload(_ id: UUID, bucketID: UUID, key rawKey: String, by principal: Principal) async throws
        -> MultipartUpload
    {
        let key = try ObjectKey(rawKey)
        _ = try await writableBucket(bucketID, by: principal)
        guard let status = try await multipartStatusIfPresent(id, bucketID: bucketID, key: key, parts: false) else {
            throw FilesError.uploadNotFound
        }
        guard !status.upload.completed else { throw FilesError.uploadCompleted }
        return status.upload
    }

    private func multipartStatusIfPresent(_ id: UUID, bucketID: UUID, key: ObjectKey, parts: Bool = true) async throws
        -> MultipartStatus?
    {
        try await store.read { session in
            guard let upload = try await session.upload(id), upload.bucketID == bucketID, upload.key == key.value else {
                return nil
            }
            return MultipartStatus(upload: upload, parts: parts ? try await session.parts(uploadID: id) : [])
        }
    }

    private func completedVersion(bucketID: UUID, versionID: UUID) async throws -> ObjectVersion {
        guard let version = try await store.read({ try await $0.version(bucketID: bucketID, versionID: versionID) }) else {
            throw FilesError.versionNotFound
        }
        return version
    }

    /// Reads committed parts back for the background hasher.
    private func partOpener(_ upload: MultipartUpload, _ backend: any StorageBackend) -> MultipartProgress.PartOpener {
        let store = self.store
        return { number in
            guard number < upload.partCount,
                try await store.read({ try await $0.part(uploadID: upload.id, number: number) }) != nil
            else { return nil }
            return try await backend.openPending(upload.fileID, range: upload.range(ofPart: number))
        }
    }

    /// The first bytes of the file, for type detection.
    private func readPrefix(_ upload: MultipartUpload, _ backend: any StorageBackend) async throws -> [UInt8] {
        let reader = try await backend.openPending(upload.fileID, range: 0..<min(upload.size, Int64(MimeDetector.prefixLength)))
        defer { Task { await reader.close() } }
        var prefix: [UInt8] = []
        while prefix.count < MimeDetector.prefixLength, let chunk = try await reader.next() {
            prefix += chunk.readableBytesView
        }
        return Array(prefix.prefix(MimeDetector.prefixLength))
    }
}

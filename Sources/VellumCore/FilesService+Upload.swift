import Foundation
import NIOCore

/// The metadata of one single-request upload.
public struct UploadRequest: Sendable {
    public var bucketID: UUID
    public var key: String
    /// The declared length (`Content-Length`), nil for chunked bodies.
    public var contentLength: Int64?
    public var contentType: String?
    /// Digests the client sent (`Content-MD5`, `Repr-Digest: sha-256`), as lowercase hex.
    public var expectedMD5: String?
    public var expectedSHA256: String?
    public var tags: [String: String]

    public init(
        bucketID: UUID, key: String, contentLength: Int64? = nil, contentType: String? = nil,
        expectedMD5: String? = nil, expectedSHA256: String? = nil, tags: [String: String] = [:]
    ) {
        self.bucketID = bucketID
        self.key = key
        self.contentLength = contentLength
        self.contentType = contentType
        self.expectedMD5 = expectedMD5
        self.expectedSHA256 = expectedSHA256
        self.tags = tags
    }
}

extension FilesService {
    /// Bytes handed to the hashers and the backend at a time.
    static let batchBytes = 1 << 20

    /// Streams `body` into a new head version of `request.key`. The bytes are hashed and written in one pass,
    /// made durable, and only then is the version committed; on any failure nothing is left behind.
    public func upload<Body: AsyncSequence>(
        _ request: UploadRequest, body: Body, by principal: Principal
    ) async throws -> ObjectVersion where Body.Element == ByteBuffer {
        let key = try ObjectKey.validate(request.key)
        let bucket = try await writableBucket(request.bucketID, by: principal)
        let limit = bucket.uploadLimit
        if let limit, let length = request.contentLength, length > limit.bytes { throw limit.error }

        let fileID = UUID()
        let backend = try await storage.backend(for: bucket.location)
        let writer = try await backend.create(fileID)
        do {
            let (size, checksums, prefix) = try await stream(body, to: writer, request: request, limit: limit)
            if let expected = request.expectedMD5, expected != checksums.md5 {
                throw VellumError(400, "Content-MD5 does not match the uploaded data.")
            }
            if let expected = request.expectedSHA256, expected != checksums.sha256 {
                throw VellumError(400, "The sha-256 digest does not match the uploaded data.")
            }
            try await writer.finish()
            let mimetype = mime.detect(clientType: request.contentType, key: key, prefix: prefix)
            let version = try await commit(
                fileID: fileID, bucket: bucket, key: key, size: size, checksums: checksums, mimetype: mimetype,
                tags: request.tags)
            do {
                try await backend.settle(fileID)
            } catch {
                logger.warning("could not settle blob; start-up recovery will", metadata: ["file": "\(fileID)"])
            }
            return version
        } catch {
            await writer.abort()
            throw error
        }
    }

    /// Reads the body in batches, enforcing the limits while streaming. Each batch is hashed (MD5 and SHA-256 on
    /// two tasks) and written while the next one is received; at most one write is in flight.
    private func stream<Body: AsyncSequence>(
        _ body: Body, to writer: any BlobWriter, request: UploadRequest, limit: (bytes: Int64, error: VellumError)?
    ) async throws -> (Int64, Checksums, [UInt8]) where Body.Element == ByteBuffer {
        var hasher = StreamHasher()
        var size: Int64 = 0
        var prefix: [UInt8] = []
        var batch: [ByteBuffer] = []
        var batchSize = 0
        var writing: Task<Void, any Error>?
        func flush() async throws {
            try await writing?.value
            await hasher.update(batch)
            let buffers = batch
            writing = Task { try await writer.write(buffers) }
            batch = []
            batchSize = 0
        }
        do {
            for try await buffer in body {
                size += Int64(buffer.readableBytes)
                if let limit, size > limit.bytes { throw limit.error }
                if let length = request.contentLength, size > length { throw VellumError.fileBigger }
                if prefix.count < MimeDetector.prefixLength {
                    let take = min(buffer.readableBytes, MimeDetector.prefixLength - prefix.count)
                    prefix += buffer.getBytes(at: buffer.readerIndex, length: take) ?? []
                }
                batch.append(buffer)
                batchSize += buffer.readableBytes
                if batchSize >= Self.batchBytes { try await flush() }
            }
            if let length = request.contentLength, size < length { throw VellumError.fileSmaller }
            if !batch.isEmpty { try await flush() }
            try await writing?.value
        } catch {
            _ = try? await writing?.value  // never abort the writer under a write in flight
            throw error
        }
        return (size, await hasher.finalize(), prefix)
    }

    /// Makes the durable bytes visible as the new head version, re-checking the bucket under the write lock.
    private func commit(
        fileID: UUID, bucket: Bucket, key: String, size: Int64, checksums: Checksums, mimetype: String,
        tags: [String: String]
    ) async throws -> ObjectVersion {
        try await store.write { session in
            guard let current = try await session.bucket(bucket.id) else { throw VellumError.bucketNotFound }
            guard !current.locked else { throw VellumError.bucketLocked }
            if let limit = current.uploadLimit, size > limit.bytes { throw limit.error }
            let now = Date()
            let file = FileInstance(id: fileID, location: current.location, size: size, checksums: checksums, created: now)
            try await session.insertFile(file)
            let version = try await session.insertHeadVersion(
                ObjectVersion(
                    versionID: UUID(), bucketID: bucket.id, key: key, file: file, mimetype: mimetype, isHead: true,
                    tags: tags, created: now, updated: now))
            try await session.addToBucketSize(bucket.id, size, updated: now)
            return version
        }
    }
}

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
    public var condition: WriteCondition

    public init(
        bucketID: UUID, key: String, contentLength: Int64? = nil, contentType: String? = nil,
        expectedMD5: String? = nil, expectedSHA256: String? = nil, tags: [String: String] = [:],
        condition: WriteCondition = WriteCondition()
    ) {
        self.bucketID = bucketID
        self.key = key
        self.contentLength = contentLength
        self.contentType = contentType
        self.expectedMD5 = expectedMD5
        self.expectedSHA256 = expectedSHA256
        self.tags = tags
        self.condition = condition
    }
}

extension FilesService {
    /// Bytes handed to the hashers and the backend at a time.
    static var batchBytes: Int { 1 << 20 }

    /// Fails unless the digests the client sent match the data.
    static func verify(_ checksums: Checksums, against request: UploadRequest) throws {
        if let expected = request.expectedMD5, expected != checksums.md5 {
            throw FilesError(.invalid, "Content-MD5 does not match the uploaded data.")
        }
        if let expected = request.expectedSHA256, expected != checksums.sha256 {
            throw FilesError(.invalid, "The sha-256 digest does not match the uploaded data.")
        }
    }

    /// Reads the body in batches, enforcing the limits while streaming (`grow` is told the size so far, to hold it
    /// of the quota). Hashing (see `StreamHasher`) and writing run behind the reading: writes go out in order, each
    /// after the previous one, at most `depth` behind.
    func stream<Body: AsyncSequence>(
        _ body: Body, to writer: any BlobWriter, request: UploadRequest, limit: (bytes: Int64, error: FilesError)?,
        grow: ((Int64) async throws -> Void)? = nil
    ) async throws -> StreamedUpload where Body.Element == ByteBuffer {
        let depth = 4
        var hasher = StreamHasher(depth: depth)
        var writes: [Task<Void, any Error>] = []
        var size: Int64 = 0
        var prefix: [UInt8] = []
        var batch: [ByteBuffer] = []
        var batchSize = 0
        func flush() async throws {
            if writes.count >= depth { try await writes.removeFirst().value }
            await hasher.update(batch)
            let buffers = batch
            let previous = writes.last
            writes.append(
                Task {
                    try await previous?.value
                    try await writer.write(buffers)
                })
            batch = []
            batchSize = 0
        }
        do {
            for try await buffer in body {
                size += Int64(buffer.readableBytes)
                if let limit, size > limit.bytes { throw limit.error }
                if let length = request.contentLength, size > length { throw FilesError.fileBigger }
                try await grow?(size)
                if prefix.count < MimeDetector.prefixLength {
                    let take = min(buffer.readableBytes, MimeDetector.prefixLength - prefix.count)
                    prefix += buffer.getBytes(at: buffer.readerIndex, length: take) ?? []
                }
                batch.append(buffer)
                batchSize += buffer.readableBytes
                if batchSize >= Self.batchBytes { try await flush() }
            }
            if let length = request.contentLength, size < length { throw FilesError.fileSmaller }
            if writes.isEmpty {
                return StreamedUpload(size: size, checksums: StreamHasher.checksums(of: batch), prefix: prefix, unwritten: batch)
            }
            if !batch.isEmpty { try await flush() }
            for write in writes { try await write.value }
        } catch {
            for write in writes { _ = try? await write.value }  // never abort the writer under a write in flight
            throw error
        }
        return StreamedUpload(size: size, checksums: await hasher.finalize(), prefix: prefix, unwritten: [])
    }

    /// Fails a conditional write before any byte is read, when the head already rules it out.
    func checkEarly(_ condition: WriteCondition, bucketID: UUID, key: ObjectKey) async throws {
        guard condition != WriteCondition() else { return }
        try condition.check(try await store.read { try await $0.headVersion(bucketID: bucketID, key: key) })
    }

    /// Makes `file` (durable bytes) visible as the new head version of `key`, re-checking the bucket and the
    /// write's condition under the write lock; a failed check rolls it all back. `held` bytes of the bucket's size
    /// were reserved for it while it was written: they become the file's.
    func commit(
        _ file: FileInstance, isNew: Bool, to bucket: Bucket, key: ObjectKey, mimetype: String?, request: UploadRequest,
        held: Int64 = 0, alsoCheck: (@Sendable (any MetadataSession) async throws -> Void)? = nil
    ) async throws -> ObjectVersion {
        try await store.write { session in
            try await alsoCheck?(session)
            if request.condition != WriteCondition() {
                try request.condition.check(try await session.headVersion(bucketID: bucket.id, key: key))
            }
            if held > 0 { _ = try await session.deleteReservation(file.id) }
            try await Self.reserve(file.size - held, in: bucket.id, fileSize: file.size, session)
            if isNew { try await session.insertFile(file) }
            let now = Date()
            let version = try await session.insertHeadVersion(
                ObjectVersion(
                    versionID: UUID(), bucketID: bucket.id, key: key.value, file: file, mimetype: mimetype, isHead: true,
                    tags: request.tags, created: now, updated: now))
            if isNew { try await self.requestDerivatives(for: version, session) }
            return version
        }
    }
}

/// What `stream` read: its size and digests, its first bytes (for sniffing), and the bytes left for `finish`.
struct StreamedUpload {
    var size: Int64
    var checksums: Checksums
    var prefix: [UInt8]
    /// A body that arrived as one batch is hashed at once and not written yet: `finish(writing:)` writes it in
    /// the same job as the fsync (a small upload then costs one hop to the storage's threads, and no tasks).
    var unwritten: [ByteBuffer]
}

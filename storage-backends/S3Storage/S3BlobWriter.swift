import Crypto
import Foundation
import NIOCore
import VellumCore

/// Writes one blob of unknown length to its final key in constant memory. Bytes gather in a part buffer; a blob
/// that fits in one part is one PUT, a larger one a native multipart upload whose parts (8 MiB, 64 MiB from the
/// 5,000th on: up to about 350 GiB) are sent up to `inFlight` at a time while the next one fills (so at most
/// three part buffers exist, reused from part to part). Every part and
/// single PUT carries its `Content-MD5`, which S3 checks. Waiting for a free slot holds back the caller, and so
/// the client sending the bytes.
actor S3BlobWriter: BlobWriter {
    static let smallPart = 8 << 20
    static let largePart = 64 << 20
    static let inFlight = 2

    private let storage: S3Storage
    private let id: UUID
    private var buffer = ByteBuffer()
    private var uploadID: String?
    /// Parts being sent, oldest first; each task gives back the part's ETag and its buffer, for the next part.
    private var sending: [(number: Int, task: Task<(String, ByteBuffer), any Error>)] = []
    private var etags: [(number: Int, etag: String)] = []
    private var spare: ByteBuffer?

    init(storage: S3Storage, id: UUID) {
        self.storage = storage
        self.id = id
    }

    private var partSize: Int { etags.count + sending.count < 5000 ? Self.smallPart : Self.largePart }

    func write(_ buffers: [ByteBuffer]) async throws {
        for var incoming in buffers {
            while incoming.readableBytes > 0 {
                let room = partSize - buffer.readableBytes
                if room == 0 {
                    try await sendPart()
                    continue
                }
                var slice = incoming.readSlice(length: min(room, incoming.readableBytes))!
                buffer.writeBuffer(&slice)
            }
        }
    }

    func finish(writing last: [ByteBuffer]) async throws {
        try await write(last)
        let key = S3Storage.blobKey(id)
        guard let uploadID else {
            let response = try await storage.client.sendRetrying(
                .PUT, key: key, headers: [("content-md5", Self.md5(buffer))], body: buffer)
            guard response.status == 200 else { throw S3Storage.failure("PUT \(key)", response) }
            return
        }
        if buffer.readableBytes > 0 { try await sendPart() }
        while !sending.isEmpty { try await collectOldest() }
        try await storage.completeUpload(id, uploadID, parts: etags)
    }

    func abort() async {
        for part in sending { part.task.cancel() }
        for part in sending { _ = try? await part.task.value }
        sending = []
        do {
            if let uploadID { try await storage.abortUpload(id, uploadID) }
            try await storage.delete(key: S3Storage.blobKey(id))
            try await storage.delete(key: S3Storage.markerKey(id))
            storage.forget(id)
        } catch {
            // The marker stays: recovery removes what is left.
            storage.forget(id)
        }
    }

    /// Sends the full buffer as the next part, once a slot is free.
    private func sendPart() async throws {
        if uploadID == nil { uploadID = try await storage.startUpload(id) }
        while sending.count >= Self.inFlight { try await collectOldest() }
        let number = etags.count + sending.count + 1
        guard number <= 10_000 else {
            throw StorageError(.tooLarge, "Files this large (over about 350 GiB) must be sent as multipart uploads.")
        }
        let part = buffer
        buffer = spare.take() ?? ByteBuffer()
        buffer.clear()
        buffer.reserveCapacity(partSize)
        let (storage, id, uploadID) = (storage, id, uploadID!)
        sending.append(
            (
                number,
                Task {
                    let etag = try await storage.uploadPart(id, uploadID, number: number, body: part, md5: Self.md5(part))
                    return (etag, part)
                }
            ))
    }

    private func collectOldest() async throws {
        let oldest = sending.removeFirst()
        let (etag, used) = try await oldest.task.value
        etags.append((oldest.number, etag))
        spare = used
    }

    static func md5(_ buffer: ByteBuffer) -> String {
        Data(buffer.withUnsafeReadableBytes { Insecure.MD5.hash(data: $0) }).base64EncodedString()
    }
}

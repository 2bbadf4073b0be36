import Foundation
import NIOCore
import VellumCore

/// Native S3 multipart uploads: Vellum's multipart parts map 1:1 to S3 parts (S3 part number = Vellum part + 1),
/// nothing is rewritten; large streamed PUTs use them too (`S3BlobWriter`).
extension S3Storage {
    public func createMultipart(_ id: UUID, size: Int64) async throws {
        try await putMarker(id, Marker(run: runs.id), live: false)
        _ = try await startUpload(id, live: false)
    }

    public func partWriter(_ id: UUID, part number: Int, range: Range<Int64>) async throws -> any BlobWriter {
        guard let upload = try await marker(id)?.upload else {
            throw StorageError.failure("no S3 multipart upload for pending blob \(id.lowercased)")
        }
        return S3PartWriter(storage: self, id: id, upload: upload, number: number + 1, length: Int64(range.count))
    }

    /// S3 cannot read the parts of an unfinished upload: once completed, the blob's ranges can be read.
    public func openPending(_ id: UUID, range: Range<Int64>) async throws -> any BlobReader {
        try await open(id, range: range)
    }

    public func completeMultipart(_ id: UUID, parts: [UploadPart]) async throws {
        guard let upload = try await marker(id)?.upload else {
            if try await client.sendRetrying(.HEAD, key: Self.blobKey(id)).status == 200 { return }  // done before
            throw StorageError.failure("no S3 multipart upload for pending blob \(id.lowercased)")
        }
        try await completeUpload(id, upload, parts: parts.map { ($0.number + 1, "\"\($0.checksums.md5)\"") })
    }

    /// Starts an S3 multipart upload for the blob and records its id in the blob's marker (so that whoever
    /// recovers or deletes the blob can abort the upload and free its parts).
    func startUpload(_ id: UUID, live: Bool = true) async throws -> String {
        let key = Self.blobKey(id)
        let response = try await client.sendRetrying(.POST, key: key, query: [("uploads", "")])
        guard response.status == 200, let upload = try S3XML(response.body).fields["UploadId"], !upload.isEmpty else {
            throw Self.failure("POST \(key)?uploads", response)
        }
        try await putMarker(id, Marker(run: runs.id, upload: upload), live: live)
        return upload
    }

    /// Sends one part held in memory (so it can be sent again on failure); answers its ETag.
    func uploadPart(_ id: UUID, _ upload: String, number: Int, body: ByteBuffer, md5: String) async throws -> String {
        let key = Self.blobKey(id)
        let response = try await client.sendRetrying(
            .PUT, key: key, query: [("partNumber", "\(number)"), ("uploadId", upload)], headers: [("content-md5", md5)],
            body: body)
        guard response.status == 200, let etag = response.headers.first(name: "etag") else {
            throw Self.failure("PUT \(key) part \(number)", response)
        }
        return etag
    }

    /// Completes an upload from its parts' numbers and ETags, in order. S3 refuses a part whose ETag differs from
    /// what it stored: the check that every part's bytes arrived as sent.
    func completeUpload(_ id: UUID, _ upload: String, parts: [(number: Int, etag: String)]) async throws {
        let key = Self.blobKey(id)
        let xml =
            "<CompleteMultipartUpload>"
            + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\($0.etag)</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        // S3 may take minutes to join many parts (it keeps the connection alive meanwhile).
        let response = try await client.sendRetrying(
            .POST, key: key, query: [("uploadId", upload)], body: ByteBuffer(string: xml), timeout: .minutes(10))
        // A 200 may still carry an error, sent after S3 started answering.
        let code = response.errorCode
        if response.status == 200, code == nil { return }
        if code == "NoSuchUpload", try await client.sendRetrying(.HEAD, key: key).status == 200 {
            return  // completed by an earlier attempt whose answer was lost
        }
        if code == "InvalidPart" {  // a part was sent again meanwhile: its ETag changed
            throw StorageError(.conflict, "Parts changed while the upload was being completed; complete it again.")
        }
        throw Self.failure("complete \(key)", response)
    }

    /// Aborts an S3 multipart upload, freeing its parts; succeeds when it is gone already.
    func abortUpload(_ id: UUID, _ upload: String) async throws {
        let key = Self.blobKey(id)
        let response = try await client.sendRetrying(.DELETE, key: key, query: [("uploadId", upload)])
        guard [200, 204, 404].contains(response.status) else { throw Self.failure("abort \(key)", response) }
    }
}

import AsyncAlgorithms
import AsyncHTTPClient
import Foundation
import NIOCore
import VellumCore

/// Streams one part of a Vellum multipart upload straight into its S3 part, in constant memory: each buffer
/// written waits until the HTTP request has taken the previous one. The body cannot be replayed, so a failure is
/// the client's to retry (the part then counts as missing, as for any failed part).
final class S3PartWriter: BlobWriter {
    private let channel = AsyncChannel<ByteBuffer>()
    private let request: Task<Void, any Error>

    init(storage: S3Storage, id: UUID, upload: String, number: Int, length: Int64) {
        let channel = self.channel
        let client = storage.client
        let key = S3Storage.blobKey(id)
        request = Task {
            defer { channel.finish() }  // a failed request releases the writer
            var request = client.signedRequest(.PUT, key: key, query: [("partNumber", "\(number)"), ("uploadId", upload)])
            request.body = .stream(channel, length: .known(length))
            let response: HTTPClientResponse
            do {
                response = try await client.http.execute(request, timeout: .hours(24))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw client.unavailable("PUT \(key) part \(number): \(error)")
            }
            let body = try await response.body.collect(upTo: 64 << 10)
            let answer = S3Client.Response(status: Int(response.status.code), headers: response.headers, body: body)
            if answer.errorCode == "NoSuchUpload" {
                throw StorageError(.conflict, "The upload is being completed or was aborted; it takes no more parts.")
            }
            if S3Client.retriedStatuses.contains(UInt(answer.status)) {
                throw client.unavailable("PUT \(key) part \(number): HTTP \(answer.status)")
            }
            guard answer.status == 200 else { throw S3Storage.failure("PUT \(key) part \(number)", answer) }
        }
    }

    func write(_ buffers: [ByteBuffer]) async throws {
        for buffer in buffers { await channel.send(buffer) }
    }

    func finish(writing last: [ByteBuffer]) async throws {
        try await write(last)
        channel.finish()
        try await request.value
    }

    func abort() async {
        request.cancel()
        channel.finish()
        _ = try? await request.value
    }
}

import AsyncHTTPClient
import NIOCore
import VellumCore

/// A blob's bytes as S3 streams them (with back-pressure: the next bytes are read from the connection as the
/// caller asks for them). Closing early drops the response body, which ends the request.
///
/// `@unchecked Sendable`: a reader is used by one task at a time, as `BlobReader` requires (`next` is never called
/// concurrently, `close` once after the last `next`).
final class S3BlobReader: BlobReader, @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator?

    init(body: HTTPClientResponse.Body?) {
        iterator = body?.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        guard let chunk = try await iterator?.next() else {
            iterator = nil
            return nil
        }
        return chunk
    }

    func close() async {
        iterator = nil
    }
}

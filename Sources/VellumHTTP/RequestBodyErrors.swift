import Hummingbird
import VellumCore

/// A request body whose transport errors (the client hung up, the body ended before `Content-Length`) surface as
/// a 400 `APIError`, so they are reported as the client's fault and not as internal errors.
struct RequestBodyErrors: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch let error as any DomainError {
                throw error
            } catch {
                throw RequestBodyErrors.truncated
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }

    static let truncated = APIError(.badRequest, "The request body ended before it was complete.")
}

extension Request {
    /// A small body (JSON) read whole: more than 64 KiB is 413, one that ends early (or whose framing is broken) 400.
    func smallBody() async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: 64 * 1024)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            throw RequestBodyErrors.truncated
        }
    }
}

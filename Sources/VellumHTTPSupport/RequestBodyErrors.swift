import Hummingbird
import VellumCore

/// A request body whose transport errors (the client hung up, the body ended before `Content-Length`) surface as
/// a 400 `APIError`, so they are reported as the client's fault and not as internal errors.
public struct RequestBodyErrors: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public let base: RequestBody

    public init(base: RequestBody) { self.base = base }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator

        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch let error as any DomainError {
                throw error
            } catch {
                throw RequestBodyErrors.truncated
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }

    public static let truncated = APIError(.badRequest, "The request body ended before it was complete.")
}

extension Request {
    /// A small body (JSON) read whole: more than `limit` (64 KiB) is 413, one that ends early (or whose framing is
    /// broken) 400.
    public func smallBody(limit: Int = 64 * 1024) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            throw RequestBodyErrors.truncated
        }
    }
}

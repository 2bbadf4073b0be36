import Hummingbird
import VellumCore

/// A request body whose transport errors (the client hung up, the body ended before `Content-Length`) surface as
/// a 400 `VellumError`, so they are reported as the client's fault and not as internal errors.
struct RequestBodyErrors: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator

        mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch let error as VellumError {
                throw error
            } catch {
                throw VellumError(400, "The request body ended before it was complete.")
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}

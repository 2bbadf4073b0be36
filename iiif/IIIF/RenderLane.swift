import IIIFGrammar
import NIOPosix
import Synchronization
import VellumCore

/// Threads of their own for libvips work (it blocks for milliseconds to seconds and would stall Swift's cooperative
/// pool, and the HTTP server with it), with a bound on what waits: at most `threads` jobs run and `queue` more
/// wait; beyond that a request is refused at once with 503 rather than piling up memory.
final class RenderLane: Sendable {
    private let pool: NIOThreadPool
    private let limit: Int
    private let pending = Atomic<Int>(0)

    init(threads: Int, queue: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        limit = threads + queue
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let waiting = pending.wrappingAdd(1, ordering: .relaxed).newValue
        defer { pending.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= limit else { throw IIIFError(.busy, "The image server is busy; retry shortly.") }
        return try await pool.runIfActive(work)
    }

    func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}

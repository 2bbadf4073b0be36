import Foundation
import NIOCore

/// Stores opaque, immutable blobs by an id it is given. Backends know nothing of buckets, keys or versions.
///
/// Writes are two-phase so that a crash at any moment is recoverable: `create` starts a pending blob, the
/// writer's `finish` makes it durable in place (still pending), the caller commits metadata and then calls
/// `settle`. At start-up `pendingBlobs()` lists what was never settled, and the caller settles or deletes each.
///
/// A multipart blob is pending from `createMultipart` on; its parts are written in place by part writers, in any
/// order, and `completeMultipart` makes the whole blob durable at its final place, after which it is settled like
/// any other.
public protocol StorageBackend: Sendable {
    /// Starts a new pending blob.
    func create(_ id: UUID) async throws -> any BlobWriter
    /// Starts a pending blob of `size` bytes that parts will be written into.
    func createMultipart(_ id: UUID, size: Int64) async throws
    /// Writes part `number` (from 0) of a multipart blob, the bytes `range` of it, in place. Its `finish` makes
    /// these bytes durable; its `abort` only stops writing (the part's bytes stop counting because its metadata is
    /// gone).
    func partWriter(_ id: UUID, part number: Int, range: Range<Int64>) async throws -> any BlobWriter
    /// Whether `openPending` can read parts before `completeMultipart` (S3 cannot: parts are readable only once
    /// the blob is complete).
    var readsPendingParts: Bool { get }
    /// Reads part of a multipart blob that is still pending.
    func openPending(_ id: UUID, range: Range<Int64>) async throws -> any BlobReader
    /// Makes a fully written multipart blob, made of `parts` in order, durable at its final place; doing it twice
    /// is harmless.
    func completeMultipart(_ id: UUID, parts: [UploadPart]) async throws
    /// Opens `range` of the blob (the whole blob when nil) for reading in bounded memory.
    func open(_ id: UUID, range: Range<Int64>?) async throws -> any BlobReader
    /// Forgets that a blob is pending, once the metadata that references it is committed.
    func settle(_ id: UUID) async throws
    /// Removes a blob and any pending state; succeeds when nothing is there.
    func delete(_ id: UUID) async throws
    /// Blobs whose writes started and were not settled yet: being written, or interrupted.
    func pendingBlobs() async throws -> [UUID]
    /// The pending blobs no live process is writing (several daemons may share a location): what start-up recovery
    /// settles or deletes.
    func abandonedBlobs() async throws -> [UUID]
    /// Every blob at its final place with its size, in batches (for the unreferenced-bytes scan).
    func listBlobs() -> AsyncThrowingStream<[(id: UUID, size: Int64)], any Error>
    /// Throws unless the backend can be written to now.
    func checkHealth() async throws
    /// The path of a settled blob's bytes in this machine's file system, for libraries that read files (libvips);
    /// nil for backends that keep bytes elsewhere.
    func localPath(_ id: UUID) -> String?
    /// A short-lived URL that serves a settled blob directly with the given `Content-Type` and
    /// `Content-Disposition`, when downloads should be redirected there; nil to stream through Vellum.
    func downloadURL(_ id: UUID, contentType: String, disposition: String) -> String?
    /// Renews what tells the other processes sharing the location that this one is alive and may be writing (S3:
    /// its run's heartbeat, see `S3Runs`); the `storage` worker calls it every 30 s. Nothing by default.
    func keepAlive() async throws
}

extension StorageBackend {
    public func localPath(_ id: UUID) -> String? { nil }
    public func downloadURL(_ id: UUID, contentType: String, disposition: String) -> String? { nil }
    public var readsPendingParts: Bool { true }
    public func keepAlive() async throws {}
}

/// Receives the bytes of one pending blob.
public protocol BlobWriter: Sendable {
    /// Appends bytes; may be called many times. Once a first `write` (even of no bytes) has returned, the blob is
    /// among `pendingBlobs` (a backend may create it lazily before that).
    func write(_ buffers: [ByteBuffer]) async throws
    /// Appends `last` (the final bytes, possibly none), then makes everything durable at its final place (fsync,
    /// link, fsync the directory). A small blob is written whole by this one call.
    func finish(writing last: [ByteBuffer]) async throws
    /// Discards everything written (see `partWriter` for parts); safe to call after a failure at any point.
    func abort() async
}

/// Yields the bytes of one blob (or a range of it) chunk by chunk.
public protocol BlobReader: Sendable {
    /// The next chunk, or nil at the end.
    func next() async throws -> ByteBuffer?
    /// Releases the underlying handle; call it once, also after an error.
    func close() async
}

/// Makes a backend for a location URI.
public protocol StorageBackendFactory: Sendable {
    func makeBackend(for location: Location) throws -> any StorageBackend
    /// Checks a new location's URI and gets it ready to be written (a directory created, a bucket reached).
    func prepare(_ location: Location) async throws
}

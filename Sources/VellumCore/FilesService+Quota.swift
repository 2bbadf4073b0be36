import Foundation

/// Quotas bind uploads in flight too: an upload into a bucket with a quota holds its bytes of the quota (a row of
/// `upload_reservations`, added to the bucket's size) from before its body is read until it commits or fails, so
/// concurrent uploads can never together exceed the quota. Buckets without a quota cost no reservation.
extension FilesService {
    /// Adds `bytes` to the bucket's size under its write lock; fails (and the transaction rolls back) when the
    /// bucket is locked, when `bytes` is more than its quota has left, or when the file the bytes belong to
    /// (`fileSize` bytes) is over its `max_file_size`.
    static func reserve(_ bytes: Int64, in bucketID: UUID, fileSize: Int64, _ session: any MetadataSession) async throws {
        guard var current = try await session.addToBucketSize(bucketID, bytes, updated: Date()) else {
            throw FilesError.bucketNotFound
        }
        current.size -= bytes
        guard !current.locked else { throw FilesError.bucketLocked }
        if let max = current.maxFileSize, max > 0, fileSize > max { throw FilesError.maxFileSizeExceeded }
        if bytes > 0, let left = current.quotaLeft, bytes > left { throw FilesError.quotaExceeded }
    }

    /// Makes the upload writing blob `fileID` hold at least `size` bytes of its bucket's quota, where it holds
    /// `held`: exactly `size` for a body of known length; for one of unknown length, steps that double (at least
    /// 8 MiB, so a large upload costs few transactions), or exactly what it needs when a step does not fit.
    func hold(_ size: Int64, for fileID: UUID, in bucketID: UUID, held: inout Int64, exact: Bool) async throws {
        guard size > held else { return }
        let step = exact ? size : max(size, held * 2, 8 << 20)
        do {
            try await addHold(step - held, for: fileID, in: bucketID, fileSize: size)
            held = step
        } catch let error as FilesError where error == .quotaExceeded && step > size {
            try await addHold(size - held, for: fileID, in: bucketID, fileSize: size)
            held = size
        }
    }

    private func addHold(_ bytes: Int64, for fileID: UUID, in bucketID: UUID, fileSize: Int64) async throws {
        try await store.write { session in
            try await Self.reserve(bytes, in: bucketID, fileSize: fileSize, session)
            try await session.addReservation(fileID, bucketID: bucketID, bytes: bytes, at: Date())
        }
    }

    /// Gives back what the upload writing `fileID` holds of its bucket's quota, in `session`.
    static func releaseHold(_ fileID: UUID, _ session: any MetadataSession) async throws {
        if let (bucketID, bytes) = try await session.deleteReservation(fileID) {
            try await session.addToBucketSize(bucketID, -bytes, updated: Date())
        }
    }

    /// Gives back what a failed upload held; if that fails, maintenance gives it back with the upload's blob.
    func releaseHold(_ fileID: UUID) async {
        do {
            try await store.write { try await Self.releaseHold(fileID, $0) }
        } catch {
            logger.warning("could not release an upload's reservation; maintenance will", metadata: ["file": "\(fileID)"])
        }
    }

    /// Gives back the reservations of uploads that no longer write anything: their blob was abandoned (deleted by
    /// recovery) or is gone. Reservations are read before the pending blobs are listed: an upload makes its blob
    /// pending (a first write) before it reserves, so a reservation whose blob is not listed afterwards has no writer.
    func releaseAbandonedHolds() async throws -> Int {
        let reserved = try await store.read { try await $0.reservedFiles() }
        guard !reserved.isEmpty else { return 0 }
        var pending = Set<UUID>()
        for (_, backend) in try await storage.all() { pending.formUnion(try await backend.pendingBlobs()) }
        var released = 0
        for id in reserved where !pending.contains(id) {
            try await store.write { try await Self.releaseHold(id, $0) }
            released += 1
        }
        return released
    }
}

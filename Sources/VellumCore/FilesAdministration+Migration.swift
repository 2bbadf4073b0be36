import Foundation
import NIOCore
import Synchronization

/// What to move where (`vellum migrate`).
public struct MigrationRequest: Sendable {
    public var from: String
    public var to: String
    /// Only the files of this bucket's versions (and their derivatives); every file in `from` when nil.
    public var bucketID: UUID?
    /// At most this many bytes read per second; unlimited when nil.
    public var maxRate: Double?
    /// Delete each file's bytes in `from` once it has been switched to `to`, after `sourceGrace` (reads that
    /// looked the file up just before the switch still find them).
    public var deleteSource: Bool
    public var sourceGrace: Duration
    /// Files copied at once.
    public var workers: Int
    /// Who runs the migration (for the lease), and whether a holder of the lease is known to be gone (a process
    /// of this machine that no longer runs), so that a killed run does not block the next for two minutes.
    public var holder: String = UUID().lowercased
    public var holderIsGone: @Sendable (String) -> Bool = { _ in false }

    public init(
        from: String, to: String, bucketID: UUID? = nil, maxRate: Double? = nil, deleteSource: Bool = false,
        sourceGrace: Duration = .seconds(60), workers: Int = 8
    ) {
        self.from = from
        self.to = to
        self.bucketID = bucketID
        self.maxRate = maxRate
        self.deleteSource = deleteSource
        self.sourceGrace = sourceGrace
        self.workers = workers
    }
}

/// What a migration did.
public struct MigrationReport: Sendable {
    public var buckets = 0
    public var files = 0
    public var bytes: Int64 = 0
    public var deleted = 0
    /// Files that could not be moved (their bytes stay where they were), with why.
    public var failed: [(id: UUID, reason: String)] = []
}

extension FilesAdministration {
    /// The files and bytes a migration would move now.
    public func migrationTotals(_ request: MigrationRequest) async throws -> (files: Int, bytes: Int64) {
        try await store.read { try await $0.countFiles(in: request.from, bucketID: request.bucketID) }
    }

    /// Moves files' bytes from one location to another while the daemon keeps serving. First the buckets in scope
    /// store new files in `to`; then each file in `from` is copied, the copy read back and checked against the
    /// file's recorded size and checksums, and only then is the file switched to `to` (one conditional update: a
    /// file deleted meanwhile is not switched, and its copy is removed). Passes repeat until one moves nothing, so
    /// files committed into `from` meanwhile (uploads begun before the switch) move too. The database is the
    /// state: killed at any point, a new run resumes, and recovery removes a copy left unswitched. One migration
    /// runs at a time (a lease in the database, renewed every 30 s; a killed run's lapses after two minutes).
    public func migrate(_ request: MigrationRequest, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws
        -> MigrationReport
    {
        let holder = request.holder
        let take: @Sendable () async throws -> (holder: String, until: Date) = { [store] in
            try await store.write { try await $0.takeLease("migration", holder: holder, until: .now + 120, now: .now) }
        }
        var lease = try await take()
        if lease.holder != holder, request.holderIsGone(lease.holder) {
            let gone = lease.holder
            try await store.write { try await $0.releaseLease("migration", holder: gone) }
            lease = try await take()
        }
        guard lease.holder == holder else {
            throw FilesError(.conflict, "Another migration is running (\(lease.holder), lease until \(lease.until)); one runs at a time.")
        }
        // Renewed every 10 s (a failed renewal is tried again); if the lease is found lost, or could not be
        // renewed for a minute, the migration stops before its next batch.
        let held = Mutex(ContinuousClock.now)
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                if let lease = try? await take(), lease.holder == holder { held.withLock { $0 = .now } }
            }
        }
        let stillHeld: @Sendable () -> Bool = { held.withLock { $0 }.duration(to: .now) < .seconds(60) }
        let result: Result<MigrationReport, any Error>
        do {
            result = .success(try await migrateFiles(request, stillHeld: stillHeld, progress: progress))
        } catch {
            result = .failure(error)
        }
        renewal.cancel()
        await renewal.value
        try? await store.write { try await $0.releaseLease("migration", holder: holder) }
        return try result.get()
    }

    private func migrateFiles(
        _ request: MigrationRequest, stillHeld: @Sendable () -> Bool, progress: @escaping @Sendable (Int) -> Void
    ) async throws -> MigrationReport {
        let names = try await store.read { try await $0.locations() }.map(\.name)
        for name in [request.from, request.to] where !names.contains(name) {
            throw FilesError(.notFound, "No storage location named '\(name)'.")
        }
        let uris = try await store.read { try await $0.locations() }.filter { [request.from, request.to].contains($0.name) }
        guard request.from != request.to, !Location.overlap(uris[0].uri, uris[1].uri) else {
            throw FilesError(.invalid, "The source and target locations are the same.")
        }
        let source = try await storage.backend(for: request.from)
        let target = try await storage.backend(for: request.to)
        try await target.checkHealth()
        var report = MigrationReport()
        report.buckets = try await store.write {
            try await $0.switchBucketLocations(from: request.from, to: request.to, bucketID: request.bucketID)
        }
        let limiter = request.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        var failed = Set<UUID>()
        var deletions: [(id: UUID, due: ContinuousClock.Instant)] = []
        var moved: Int
        repeat {
            moved = 0
            var after: UUID?
            while true {
                let batch = try await store.read { [after] in
                    try await $0.files(in: request.from, bucketID: request.bucketID, after: after, limit: 64)
                }
                guard let last = batch.last else { break }
                after = last.id
                guard stillHeld() else { throw FilesError(.conflict, "The migration lost its lease; run it again.") }
                try await withThrowingTaskGroup(of: (FileInstance, String?).self) { group in
                    var running = 0
                    for file in batch where !failed.contains(file.id) {
                        if running == request.workers, let (done, failure) = try await group.next() {
                            record(done, failure)
                            running -= 1
                        }
                        group.addTask {
                            do {
                                let switched = try await self.copy(file, request, source, target, limiter, progress)
                                return (file, switched ? nil : "")
                            } catch {
                                return (file, "\(error)")
                            }
                        }
                        running += 1
                    }
                    while let (done, failure) = try await group.next() { record(done, failure) }
                }
                try await deleteDue(&deletions, request, source, &report, wait: false)
            }
        } while moved > 0
        try await deleteDue(&deletions, request, source, &report, wait: true)
        return report

        func record(_ file: FileInstance, _ failure: String?) {
            switch failure {
            case nil:
                moved += 1
                report.files += 1
                report.bytes += file.size
                if request.deleteSource { deletions.append((file.id, .now + request.sourceGrace)) }
            case ""?: break  // deleted meanwhile
            case let reason?:
                failed.insert(file.id)
                report.failed.append((file.id, reason))
                logger.error("could not migrate file", metadata: ["file": "\(file.id.lowercased)", "error": "\(reason)"])
            }
        }
    }

    /// Copies one file's bytes, checks the copy, and switches the file; false when it was deleted meanwhile.
    private func copy(
        _ file: FileInstance, _ request: MigrationRequest, _ source: any StorageBackend, _ target: any StorageBackend,
        _ limiter: RateLimiter?, _ progress: @escaping @Sendable (Int) -> Void
    ) async throws -> Bool {
        do {
            return try await copyOnce(file, request, source, target, limiter, progress)
        } catch {
            // The switch may have committed although its answer was lost: then the copy is the file's bytes.
            if try await store.read({ try await $0.fileExists(file.id, in: request.to) }) {
                await settle(file.id, on: target)
                return true
            }
            // Perhaps a copy an interrupted run left in the target (not the file's bytes: the file says they are in
            // the source) is in the way: remove it and try once more.
            try await target.delete(file.id)
            return try await copyOnce(file, request, source, target, limiter, progress)
        }
    }

    private func copyOnce(
        _ file: FileInstance, _ request: MigrationRequest, _ source: any StorageBackend, _ target: any StorageBackend,
        _ limiter: RateLimiter?, _ progress: @escaping @Sendable (Int) -> Void
    ) async throws -> Bool {
        let writer = try await target.create(file.id)
        do {
            let read = try await digest(source, file.id) { chunk in
                await limiter?.take(chunk.readableBytes)
                try await writer.write([chunk])
                progress(chunk.readableBytes)
            }
            guard read.size == file.size, read.checksums == file.checksums else {
                throw FilesError(.failure, "The source bytes do not match the file's checksums (see `vellum fixity run`).")
            }
            try await writer.finish(writing: [])
        } catch {
            await writer.abort()
            throw error
        }
        let copy = try await digest(target, file.id) { _ in }
        guard copy.size == file.size, copy.checksums == file.checksums else {
            try await target.delete(file.id)
            throw FilesError(.failure, "The copy read back does not match the file's checksums.")
        }
        guard try await store.write({ try await $0.moveFile(file.id, from: request.from, to: request.to) }) else {
            try await target.delete(file.id)
            return false
        }
        await settle(file.id, on: target)
        return true
    }

    /// The size and checksums of a blob, read through, each chunk handed to `each` on the way.
    private func digest(_ backend: any StorageBackend, _ id: UUID, _ each: (ByteBuffer) async throws -> Void) async throws
        -> (size: Int64, checksums: Checksums)
    {
        let reader = try await backend.open(id, range: nil)
        do {
            var hasher = StreamHasher()
            var size: Int64 = 0
            while let chunk = try await reader.next() {
                size += Int64(chunk.readableBytes)
                await hasher.update([chunk])
                try await each(chunk)
            }
            await reader.close()
            return (size, await hasher.finalize())
        } catch {
            await reader.close()
            throw error
        }
    }

    /// Deletes the source bytes whose grace has passed (all of them, waiting as needed, with `wait`), `workers`
    /// at a time.
    private func deleteDue(
        _ deletions: inout [(id: UUID, due: ContinuousClock.Instant)], _ request: MigrationRequest,
        _ source: any StorageBackend, _ report: inout MigrationReport, wait: Bool
    ) async throws {
        if wait, let last = deletions.last, last.due > .now { try await Task.sleep(until: last.due) }
        let due = deletions.prefix { $0.due <= .now }.map(\.id)
        deletions.removeFirst(due.count)
        // Unless a run moving files back has made them the file's bytes again.
        let kept = try await store.read { try await $0.existingFiles(due, in: request.from) }
        report.deleted += try await withThrowingTaskGroup(of: Void.self) { group in
            var deleted = 0
            for id in due where !kept.contains(id) {
                if deleted >= request.workers { try await group.next() }
                group.addTask { try await source.delete(id) }
                deleted += 1
            }
            try await group.waitForAll()
            return deleted
        }
    }
}

import Foundation
import NIOCore
import Synchronization

/// One run of a migration (`FilesAdministration.migrate`) as a worker: each unit copies one batch of the current
/// pass over the files in the source (64, `request.workers` at a time) and deletes the source copies whose grace
/// has passed; a pass that moved nothing ends the run (`report`). It keeps no checkpoint: the files rows are the
/// state, and a new run starts with a whole pass. Every step is taken only while its `LeaseWorker` holds the lease.
final class MigrationWorker: BackgroundWorker {
    let name = "migration"
    let administration: FilesAdministration
    let request: MigrationRequest
    let lease: LeaseWorker
    let source: any StorageBackend
    let target: any StorageBackend
    let limiter: RateLimiter?
    let progress: @Sendable (Int) -> Void
    private let state = Mutex(State())
    private let end = AsyncStream<Result<MigrationReport, any Error>>.makeStream()

    private struct State {
        var report = MigrationReport()
        /// Where the pass stands, and how many files it moved so far.
        var after: UUID?
        var moved = 0
        var failed = Set<UUID>()
        var deletions: [(id: UUID, due: ContinuousClock.Instant)] = []
        var finished = false
    }

    init(
        _ administration: FilesAdministration, _ request: MigrationRequest, lease: LeaseWorker, source: any StorageBackend,
        target: any StorageBackend, buckets: Int, progress: @escaping @Sendable (Int) -> Void
    ) {
        self.administration = administration
        self.request = request
        self.lease = lease
        self.source = source
        self.target = target
        self.limiter = request.maxRate.map { RateLimiter(bytesPerSecond: $0) }
        self.progress = progress
        state.withLock { $0.report.buckets = buckets }
    }

    /// No pause between batches; once the run has ended, its runner is about to stop.
    var interval: Duration { state.withLock { $0.finished } ? .seconds(3600) : .zero }

    /// What the run did, once it has ended; its error if it had to stop.
    func report() async throws -> MigrationReport {
        for await result in end.stream { return try result.get() }
        throw CancellationError()
    }

    /// A failure other than a file's ends the run (as a lost lease does): it is reported, not retried.
    func work(from checkpoint: String?) async throws -> WorkReport {
        var state = self.state.withLock { $0 }
        guard !state.finished else { return WorkReport(items: 0) }
        let before = state.report.files
        do {
            if try await step(&state) {
                state.finished = true
                end.continuation.yield(.success(state.report))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            state.finished = true
            end.continuation.yield(.failure(error))
        }
        self.state.withLock { [state] in $0 = state }
        return WorkReport(items: state.report.files - before)
    }

    /// One batch, or the end of a pass; true when the run is done.
    private func step(_ state: inout State) async throws -> Bool {
        let batch = try await administration.store.read { [request, after = state.after] in
            try await $0.files(in: request.from, bucketID: request.bucketID, after: after, limit: 64)
        }
        guard let last = batch.last else {
            guard state.moved == 0 else {
                (state.after, state.moved) = (nil, 0)  // another pass, for files committed into the source meanwhile
                return false
            }
            try await deleteDue(&state, wait: true)
            return true
        }
        state.after = last.id
        guard lease.isHeld else { throw FilesError(.conflict, "The migration lost its lease; run it again.") }
        try await withThrowingTaskGroup(of: (FileInstance, String?).self) { group in
            var running = 0
            for file in batch where !state.failed.contains(file.id) {
                if running == request.workers, let (done, failure) = try await group.next() {
                    record(done, failure, in: &state)
                    running -= 1
                }
                group.addTask {
                    do {
                        let switched = try await self.copy(file)
                        return (file, switched ? nil : "")
                    } catch {
                        return (file, "\(error)")
                    }
                }
                running += 1
            }
            while let (done, failure) = try await group.next() { record(done, failure, in: &state) }
        }
        try await deleteDue(&state, wait: false)
        return false
    }

    private func record(_ file: FileInstance, _ failure: String?, in state: inout State) {
        switch failure {
        case nil:
            state.moved += 1
            state.report.files += 1
            state.report.bytes += file.size
            if request.deleteSource { state.deletions.append((file.id, .now + request.sourceGrace)) }
        case ""?: break  // deleted meanwhile
        case let reason?:
            state.failed.insert(file.id)
            state.report.failed.append((file.id, reason))
            administration.logger.error("could not migrate file", metadata: ["file": "\(file.id.lowercased)", "error": "\(reason)"])
        }
    }

    /// Deletes the source bytes whose grace has passed (all of them, waiting as needed, with `wait`), `workers`
    /// at a time.
    private func deleteDue(_ state: inout State, wait: Bool) async throws {
        if wait, let last = state.deletions.last, last.due > .now { try await Task.sleep(until: last.due) }
        let due = state.deletions.prefix { $0.due <= .now }.map(\.id)
        state.deletions.removeFirst(due.count)
        // Unless a run moving files back has made them the file's bytes again.
        let kept = try await administration.store.read { [request] in try await $0.existingFiles(due, in: request.from) }
        state.report.deleted += try await withThrowingTaskGroup(of: Void.self) { group in
            var deleted = 0
            for id in due where !kept.contains(id) {
                if deleted >= request.workers { try await group.next() }
                group.addTask { try await self.source.delete(id) }
                deleted += 1
            }
            try await group.waitForAll()
            return deleted
        }
    }

    /// Copies one file's bytes, checks the copy, and switches the file; false when it was deleted meanwhile.
    private func copy(_ file: FileInstance) async throws -> Bool {
        do {
            return try await copyOnce(file)
        } catch {
            // The switch may have committed although its answer was lost: then the copy is the file's bytes.
            if try await administration.store.read({ [request] in try await $0.fileExists(file.id, in: request.to) }) {
                await administration.settle(file.id, on: target)
                return true
            }
            // Perhaps a copy an interrupted run left in the target (not the file's bytes: the file says they are in
            // the source) is in the way: remove it and try once more.
            try await target.delete(file.id)
            return try await copyOnce(file)
        }
    }

    private func copyOnce(_ file: FileInstance) async throws -> Bool {
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
        guard try await administration.store.write({ [request] in try await $0.moveFile(file.id, from: request.from, to: request.to) }) else {
            try await target.delete(file.id)
            return false
        }
        await administration.settle(file.id, on: target)
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
}

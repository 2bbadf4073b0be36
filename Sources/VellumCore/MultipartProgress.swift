import Crypto
import Foundation
import NIOCore

/// In-memory progress of this daemon's multipart uploads: which parts are being written right now, and the
/// whole-file MD5 and SHA-256 of the prefix of parts received so far.
///
/// Whenever a part commits, a worker reads back every committed part that continues the hashed prefix and hashes
/// it, so by the time a client completes an upload sent roughly in order, only the last parts remain to hash. A
/// part that is sent again resets the prefix if it was already hashed. After a restart nothing is known and the
/// worker starts again from part 0; completion is never wrong, only slower.
public actor MultipartProgress {
    /// Opens committed part `number` for reading, or returns nil when that part has not been received.
    public typealias PartOpener = @Sendable (_ number: Int) async throws -> (any BlobReader)?

    private struct Prefix {
        var md5 = Insecure.MD5()
        var sha256 = SHA256()
        /// The first part not yet hashed.
        var next = 0
        var generation = 0
        var worker: Task<Void, Never>?
        /// A part committed while the worker was looking: look again before stopping.
        var again = false
        var failure: (any Error)?
    }

    private var prefixes: [UUID: Prefix] = [:]
    private var writing: Set<PartID> = []

    private struct PartID: Hashable {
        let upload: UUID
        let number: Int
    }

    public init() {}

    /// Claims part `number` for one writer; false when another request is writing it.
    public func claim(_ upload: UUID, part number: Int) -> Bool {
        writing.insert(PartID(upload: upload, number: number)).inserted
    }

    public func release(_ upload: UUID, part number: Int) {
        writing.remove(PartID(upload: upload, number: number))
    }

    /// Part `number` is about to be written again (its old row is already gone): forget a prefix that covers it.
    public func invalidate(_ upload: UUID, part number: Int) {
        guard var prefix = prefixes[upload] else { return }
        if number < prefix.next || (number == prefix.next && prefix.worker != nil) {
            prefix.md5 = Insecure.MD5()
            prefix.sha256 = SHA256()
            prefix.next = 0
            prefix.generation += 1
            prefixes[upload] = prefix
        }
    }

    /// A part committed: hash what now continues the prefix, in the background.
    public func advance(_ upload: UUID, open: @escaping PartOpener) {
        var prefix = prefixes[upload] ?? Prefix()
        if prefix.worker != nil {
            prefix.again = true
        } else {
            prefix.failure = nil
            prefix.worker = Task { await self.work(upload, open) }
        }
        prefixes[upload] = prefix
    }

    /// The digests of the whole file once all `count` parts are committed: waits for the worker to hash the rest.
    public func finish(_ upload: UUID, partCount count: Int, open: @escaping PartOpener) async throws -> Checksums {
        advance(upload, open: open)
        while let worker = prefixes[upload]?.worker { await worker.value }
        guard let prefix = prefixes[upload] else { throw FilesError(.conflict, "The upload changed while it was being completed.") }
        if let failure = prefix.failure { throw failure }
        guard prefix.next == count else { throw FilesError(.conflict, "Not all parts have been uploaded.") }
        return Checksums(md5: prefix.md5.finalize().hexString, sha256: prefix.sha256.finalize().hexString)
    }

    /// Where parts cannot be read back before completion (S3): when part `number` continues the hashed prefix and
    /// no worker is reading, the prefix's state, for the part's writer to continue as the bytes stream through.
    public func continuation(_ upload: UUID, part number: Int) -> PrefixState? {
        let prefix = prefixes[upload] ?? Prefix()
        prefixes[upload] = prefix
        guard prefix.next == number, prefix.worker == nil else { return nil }
        return PrefixState(md5: prefix.md5, sha256: prefix.sha256, next: number, generation: prefix.generation)
    }

    /// Part `state.next` committed and was hashed on from `state` as it streamed: the prefix now ends after it,
    /// unless a part sent again reset the prefix meanwhile.
    public func extend(_ upload: UUID, from state: PrefixState, to md5: Insecure.MD5, _ sha256: SHA256) {
        guard var prefix = prefixes[upload], prefix.generation == state.generation, prefix.next == state.next,
            prefix.worker == nil
        else { return }
        prefix.md5 = md5
        prefix.sha256 = sha256
        prefix.next += 1
        prefixes[upload] = prefix
    }

    public struct PrefixState: Sendable {
        public let md5: Insecure.MD5
        public let sha256: SHA256
        let next: Int
        let generation: Int
    }

    /// Drops what is known of an upload (completed, aborted or expired).
    public func forget(_ upload: UUID) {
        prefixes[upload]?.worker?.cancel()
        prefixes[upload] = nil
    }

    private func work(_ upload: UUID, _ open: PartOpener) async {
        while let start = prefixes[upload], !Task.isCancelled {
            prefixes[upload]?.again = false
            do {
                guard let reader = try await open(start.next) else {
                    if prefixes[upload]?.again == true { continue }
                    break
                }
                var hasher = StreamHasher(md5: start.md5, sha256: start.sha256)
                do {
                    while let chunk = try await reader.next() { await hasher.update([chunk]) }
                    await reader.close()
                } catch {
                    await reader.close()
                    throw error
                }
                let (md5, sha256) = await hasher.states()
                // A part sent again meanwhile reset the prefix: this result is stale, start over.
                guard var now = prefixes[upload], now.generation == start.generation, now.next == start.next else { continue }
                now.md5 = md5
                now.sha256 = sha256
                now.next += 1
                prefixes[upload] = now
            } catch {
                prefixes[upload]?.failure = error
                break
            }
        }
        prefixes[upload]?.worker = nil
    }
}

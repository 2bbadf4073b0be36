import Foundation

/// Buckets made from other buckets, and removed whole: what a module that keeps a bucket per record (the records'
/// drafts and versions) does in its own transactions.
extension BucketService {
    /// In the caller's transaction: gives `target` (a bucket with no versions yet) a head version of every file
    /// `source` holds, sharing its bytes (nothing is copied: a file is kept while any version uses it); the bytes
    /// count towards `target`'s size.
    public static func shareFiles(of source: UUID, into target: UUID, _ session: any MetadataSession) async throws {
        let now = Date()
        let copied = try await session.copyHeadVersions(from: source, to: target, at: now)
        if copied.bytes > 0 { try await session.addToBucketSize(target, copied.bytes, updated: now) }
    }

    /// In the caller's transaction: removes a bucket with every version in it, locked or not; refuses (409) while an
    /// upload into it is in flight or unfinished. Returns the files no version uses any more, marked for deletion:
    /// hand them to `purge` once the transaction has committed (maintenance frees them if that never happens).
    public static func removeWithContents(_ id: UUID, _ session: any MetadataSession) async throws -> [FileInstance] {
        let files = try await session.deleteVersions(bucketID: id)
        guard try await !session.bucketHoldsData(id) else {
            throw FilesError(.conflict, "An upload into the bucket is in progress: finish or abort it first.")
        }
        try await session.deleteBucket(id)
        var orphans: [FileInstance] = []
        for file in files where try await session.fileReferenceCount(file.id) == 0 {
            orphans += [file] + (try await session.markFileDeleting(file.id))
        }
        return orphans
    }

    /// Frees the bytes of files `removeWithContents` marked for deletion.
    public func purge(_ files: [FileInstance]) async {
        for file in files { await purge(file) }
    }
}

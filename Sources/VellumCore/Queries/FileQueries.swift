import Foundation

/// File instances (`files`): stored bytes, their checksums and location, and their deletion.
public protocol FileQueries {
    func insertFile(_ file: FileInstance) async throws

    /// Whether a file row with this id keeps its bytes in `location`.
    func fileExists(_ id: UUID, in location: String) async throws -> Bool

    /// Which of `ids` have a file row that keeps its bytes in `location`.
    func existingFiles(_ ids: [UUID], in location: String) async throws -> Set<UUID>

    /// Files (not being deleted) whose bytes are in `location`, in id order after `afterID`: every such file, or
    /// those of `bucketID`'s versions and their derivatives.
    func files(in location: String, bucketID: UUID?, after afterID: UUID?, limit: Int) async throws -> [FileInstance]

    /// How many files `files(in:bucketID:...)` lists in all, and their bytes.
    func countFiles(in location: String, bucketID: UUID?) async throws -> (files: Int, bytes: Int64)

    /// Records that a file's bytes are now in `to`, if they were in `from` and the file is not being deleted.
    func moveFile(_ id: UUID, from: String, to: String) async throws -> Bool

    func fileReferenceCount(_ id: UUID) async throws -> Int

    /// Marks a file whose bytes must be deleted, and its derivatives (which it returns); the rows go once the bytes
    /// are. The marking process has a minute to delete them before maintenance may claim them.
    @discardableResult
    func markFileDeleting(_ id: UUID) async throws -> [FileInstance]

    /// Claims up to `limit` files marked for deletion that nobody holds (a lease until `leaseUntil`, skipping files
    /// another daemon is claiming), for maintenance to delete.
    func claimFilesToPurge(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance]

    func deleteFile(_ id: UUID) async throws
}

import Foundation

/// What a scan of the stored bytes found.
public struct ScanReport: Sendable {
    /// Blobs that no file refers to and no upload is writing: bytes nothing can reach.
    public var unreferenced: [(location: String, id: UUID, size: Int64)] = []
    public var scanned = 0
    public var deleted = 0
}

extension FilesAdministration {
    /// Walks every location's blobs and finds those no file row refers to and no upload still marks as pending:
    /// what a power loss can leave behind (the daemon's own failure paths clean up after themselves). Safe while the
    /// daemon runs: a blob at its final place always has its temp name or its committed row, and the row commits
    /// before the temp name goes, so listing the temp names after the blobs, and reading the rows after that, never
    /// mistakes a live blob. One listing of the temp names and one query per 500 blobs for each batch.
    /// With `delete`, the unreferenced blobs are removed.
    public func scanUnreferenced(delete: Bool) async throws -> ScanReport {
        var report = ScanReport()
        for (location, backend) in try await storage.all() {
            for try await batch in backend.listBlobs() {
                report.scanned += batch.count
                let pending = Set(try await backend.pendingBlobs())
                let candidates = batch.filter { !pending.contains($0.id) }
                let ids = candidates.map(\.id)
                let referenced = try await store.read { try await $0.existingFiles(ids, in: location.name) }
                for blob in candidates where !referenced.contains(blob.id) {
                    report.unreferenced.append((location.name, blob.id, blob.size))
                    if delete {
                        try await backend.delete(blob.id)
                        report.deleted += 1
                    }
                }
            }
        }
        return report
    }
}

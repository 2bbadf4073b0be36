import Foundation

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
    /// runs at a time (the lease `migration`). The run is workers (`MigrationWorker`, and the `LeaseWorker` that
    /// renews its lease) under a `WorkerRunner` of its own, beside `alongside` (the process's other workers).
    public func migrate(
        _ request: MigrationRequest, alongside others: [any BackgroundWorker] = [],
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> MigrationReport {
        let locations = try await store.read { try await $0.locations() }
        let uris = try [request.from, request.to].map { name in
            guard let location = locations.first(where: { $0.name == name }) else {
                throw FilesError(.notFound, "No storage location named '\(name)'.")
            }
            return location.uri
        }
        guard request.from != request.to, !Location.overlap(uris[0], uris[1]) else {
            throw FilesError(.invalid, "The source and target locations are the same.")
        }
        let source = try await storage.backend(for: request.from)
        let target = try await storage.backend(for: request.to)
        try await target.checkHealth()
        let lease = LeaseWorker("migration", holder: request.holder, store: store)
        let current = try await lease.acquire(takingOverFrom: request.holderIsGone)
        guard current.holder == request.holder else {
            throw FilesError(
                .conflict, "Another migration is running (\(current.holder), lease until \(current.until)); one runs at a time.")
        }
        let result: Result<MigrationReport, any Error>
        do {
            let buckets = try await store.write {
                try await $0.switchBucketLocations(from: request.from, to: request.to, bucketID: request.bucketID)
            }
            let migration = MigrationWorker(
                self, request, lease: lease, source: source, target: target, buckets: buckets, progress: progress)
            let runner = WorkerRunner(workers: others + [migration, lease], store: store, logger: logger)
            result = .success(try await runner.whileRunning { try await migration.report() })
        } catch {
            result = .failure(error)
        }
        await lease.release()
        return try result.get()
    }
}

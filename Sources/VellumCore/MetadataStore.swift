import Foundation

/// The metadata database. Implementations (SQLite, later PostgreSQL) live in VellumStore; services hold the rules.
public protocol MetadataStore: Sendable {
    /// Runs `body` against committed state (no locks held).
    func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// Runs `body` in one write transaction that commits durably before this returns. If `body` throws, none of
    /// its writes happen. Concurrent writes may share one commit (group commit).
    func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// The schema migration steps the database has applied, and those this build knows.
    func migrationStatus() async throws -> MigrationStatus
    /// Closes connections.
    func shutdown() async
    /// Where this store tells every process sharing it that tokens changed, if it can without a query (see
    /// `TokenChanges`); nil: each request reads its token.
    var tokenChanges: (any TokenChanges)? { get }
}

extension MetadataStore {
    public var tokenChanges: (any TokenChanges)? { nil }
}

/// A mark that every process sharing a database can read without a query and that changes whenever a token is
/// revoked, so that a process may trust what it read of a token while the mark stays the same.
public protocol TokenChanges: Sendable {
    /// The current mark; nil when it cannot be read (nothing may then be trusted).
    func mark() -> String?
    /// Changes the mark.
    func change() throws
}

/// Which schema migration steps (numbered from 1) a database has applied.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [Int]
    public var known: Int

    public init(applied: [Int], known: Int) {
        self.applied = applied
        self.known = known
    }

    public var pending: [Int] { (0..<known).map { $0 + 1 }.filter { !applied.contains($0) } }
}

/// What to list from a bucket.
public struct ListQuery: Sendable, Equatable {
    public var bucketID: UUID
    public var prefix: String?
    /// Return keys strictly after this one (keyset pagination); with `afterVersion`, versions after that one.
    public var afterKey: String?
    public var afterVersion: UUID?
    public var limit: Int
    public var allVersions: Bool

    public init(
        bucketID: UUID, prefix: String? = nil, afterKey: String? = nil, afterVersion: UUID? = nil, limit: Int,
        allVersions: Bool
    ) {
        self.bucketID = bucketID
        self.prefix = prefix
        self.afterKey = afterKey
        self.afterVersion = afterVersion
        self.limit = limit
        self.allVersions = allVersions
    }
}

/// The operations a service may run inside `read` or `write`.
public protocol MetadataSession: Sendable {
    func ping() async throws

    func locations() async throws -> [Location]
    func insertLocation(_ location: Location) async throws
    /// Makes `name` the only default location.
    func setDefaultLocation(_ name: String) async throws

    func insertToken(_ token: TokenRecord) async throws
    func token(hash: String) async throws -> TokenRecord?
    /// Every token, revoked and expired ones too, oldest first.
    func tokens() async throws -> [TokenRecord]
    /// Revokes the tokens called `name` that are not revoked yet; returns how many.
    func revokeTokens(named name: String, at date: Date) async throws -> Int
    /// Records that a token was used at `date`.
    func touchToken(_ id: String, at date: Date) async throws

    func bucket(_ id: UUID) async throws -> Bucket?
    /// The bucket and the head version of `key` in it (nil if none), in one query; nil if there is no bucket.
    func bucketAndHead(bucketID: UUID, key: String) async throws -> (Bucket, ObjectVersion?)?
    func insertBucket(_ bucket: Bucket) async throws
    /// Adds `delta` to the bucket's size and returns the bucket as it is now (nil if there is none).
    @discardableResult
    func addToBucketSize(_ id: UUID, _ delta: Int64, updated: Date) async throws -> Bucket?

    /// Records that the upload writing blob `fileID` holds `bytes` more of its bucket's size (the caller adds them to
    /// the bucket, see `addToBucketSize`).
    func addReservation(_ fileID: UUID, bucketID: UUID, bytes: Int64, at date: Date) async throws
    /// Removes the reservation of the upload writing `fileID`; returns its bucket and bytes (nil if there was none).
    func deleteReservation(_ fileID: UUID) async throws -> (bucketID: UUID, bytes: Int64)?
    /// The blobs whose uploads hold reservations.
    func reservedFiles() async throws -> [UUID]

    /// Saves the settings of a bucket (quota, maximum file size, lock, public).
    func updateBucket(_ bucket: Bucket) async throws
    /// Whether any version with bytes, any unfinished multipart upload or any upload in flight is left in the bucket.
    func bucketHoldsData(_ id: UUID) async throws -> Bool
    /// Deletes a bucket that holds no data, with its delete markers and finished uploads.
    func deleteBucket(_ id: UUID) async throws
    /// Sets every bucket's size to the bytes of its versions plus its reservations (multipart uploads and uploads in
    /// flight); returns how many had drifted.
    func reconcileBucketSizes() async throws -> Int

    func insertFile(_ file: FileInstance) async throws
    /// Whether a file row with this id keeps its bytes in `location`.
    func fileExists(_ id: UUID, in location: String) async throws -> Bool
    /// Which of `ids` have a file row that keeps its bytes in `location`.
    func existingFiles(_ ids: [UUID], in location: String) async throws -> Set<UUID>
    /// Points the buckets whose new files go to location `from` (only `bucketID`, when given) at `to`; returns how
    /// many changed.
    func switchBucketLocations(from: String, to: String, bucketID: UUID?) async throws -> Int
    /// Files (not being deleted) whose bytes are in `location`, in id order after `afterID`: every such file, or
    /// those of `bucketID`'s versions and their derivatives.
    func files(in location: String, bucketID: UUID?, after afterID: UUID?, limit: Int) async throws -> [FileInstance]
    /// How many files `files(in:bucketID:...)` lists in all, and their bytes.
    func countFiles(in location: String, bucketID: UUID?) async throws -> (files: Int, bytes: Int64)
    /// Records that a file's bytes are now in `to`, if they were in `from` and the file is not being deleted.
    func moveFile(_ id: UUID, from: String, to: String) async throws -> Bool
    /// Takes (or renews) the lease `name` for `holder` until `until`, unless another holder has it past `now`;
    /// returns the holder and expiry that stand after the call.
    func takeLease(_ name: String, holder: String, until: Date, now: Date) async throws -> (holder: String, until: Date)
    func releaseLease(_ name: String, holder: String) async throws
    func fileReferenceCount(_ id: UUID) async throws -> Int
    /// Marks a file whose bytes must be deleted, and its derivatives (which it returns); the rows go once the bytes
    /// are. The marking process has a minute to delete them before maintenance may claim them.
    @discardableResult
    func markFileDeleting(_ id: UUID) async throws -> [FileInstance]
    /// Claims up to `limit` files marked for deletion that nobody holds (a lease until `leaseUntil`, skipping files
    /// another daemon is claiming), for maintenance to delete.
    func claimFilesToPurge(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance]
    func deleteFile(_ id: UUID) async throws

    func headVersion(bucketID: UUID, key: String) async throws -> ObjectVersion?
    func version(bucketID: UUID, versionID: UUID) async throws -> ObjectVersion?
    /// Inserts `version` as the new head of its key, clearing the previous head. Returns the version as stored: its
    /// `created` is moved just past the previous head's when the clock did not advance.
    @discardableResult
    func insertHeadVersion(_ version: ObjectVersion) async throws -> ObjectVersion
    func deleteVersion(_ versionID: UUID) async throws
    /// Makes the newest remaining version of a key its head (after the head was removed).
    func promoteNewestVersion(bucketID: UUID, key: String) async throws
    /// Head versions with content (or every version, delete markers included), ordered by key, newest first.
    func listVersions(_ query: ListQuery) async throws -> [ObjectVersion]

    func insertUpload(_ upload: MultipartUpload) async throws
    func upload(_ id: UUID) async throws -> MultipartUpload?
    /// The upload whose pending file is `fileID`.
    func upload(fileID: UUID) async throws -> MultipartUpload?
    func uploads(bucketID: UUID) async throws -> [MultipartUpload]
    /// Up to 1,000 unfinished (or finished) uploads without activity since `date`, oldest first.
    func uploads(inactiveSince date: Date, completed: Bool) async throws -> [MultipartUpload]
    /// Records activity on an upload and returns it (nil when it is gone).
    func touchUpload(_ id: UUID, updated: Date) async throws -> MultipartUpload?
    func completeUpload(_ id: UUID, versionID: UUID, updated: Date) async throws
    /// Deletes an upload and its parts.
    func deleteUpload(_ id: UUID) async throws
    func parts(uploadID: UUID) async throws -> [UploadPart]
    func part(uploadID: UUID, number: Int) async throws -> UploadPart?
    /// Inserts or replaces a part.
    func savePart(_ part: UploadPart) async throws
    func deletePart(uploadID: UUID, number: Int) async throws

    // Derivatives (see `DerivativeKind`).
    /// Asks for a derivative of a file (nothing if it was asked for already).
    func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws
    /// Up to `limit` files whose derivative is asked for, neither made nor failed for good, and due (not waiting to
    /// be tried again after `now`), oldest request first.
    func pendingDerivatives(_ kind: DerivativeKind, due now: Date, limit: Int) async throws -> [FileInstance]
    /// Records `derivative` (a new file) as made from `fileID`; if that file is gone meanwhile, the derivative is
    /// marked for deletion instead.
    func saveDerivative(_ kind: DerivativeKind, of fileID: UUID, _ derivative: FileInstance) async throws
    /// Records that a derivative cannot be made (it is not asked for again).
    func failDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String) async throws
    /// Records a failed attempt that may succeed later: the next is due `delay(attempts so far)` from now.
    func retryDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String, after delay: (Int) -> TimeInterval)
        async throws
    /// Derivatives that failed for good or are waiting to be tried again, by file.
    func failedDerivatives(limit: Int) async throws -> [DerivativeFailure]
    func derivative(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance?

    // Fixity (see `FixityService`).
    /// Gives up to `limit` files without a scheduled check one at `now` plus a random part of `period`; returns how
    /// many it scheduled.
    func scheduleUncheckedFiles(now: Date, period: Duration, limit: Int) async throws -> Int
    /// Leases up to `limit` files whose scheduled check is due and that no one else holds, until `leaseUntil`.
    func claimDueFiles(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance]
    /// Records a check: the file's last check, its next one at `next` (its lease ends), and a history entry.
    func recordCheck(_ check: FixityCheck, next: Date) async throws
    /// Files in scope (a bucket's, or all) not checked since `since`, by id after `afterID`.
    func filesToCheck(bucketID: UUID?, notCheckedSince since: Date, after afterID: UUID?, limit: Int) async throws
        -> [FileInstance]
    /// How many files (and bytes) `filesToCheck` would give in all.
    func countFilesToCheck(bucketID: UUID?, notCheckedSince since: Date) async throws -> (files: Int, bytes: Int64)
    /// Files in scope whose last check failed.
    func failedFileCount(bucketID: UUID?) async throws -> Int
    /// The unfinished run of that scope, if any.
    func openRun(bucketID: UUID?) async throws -> FixityRun?
    func insertRun(_ run: FixityRun) async throws
    func finishRun(_ id: UUID, at date: Date) async throws
    func lastRun() async throws -> FixityRun?
    func fixityTotals(now: Date, periodStart: Date, recentSince: Date) async throws -> FixityTotals
    /// The earliest scheduled check (from the index, without scanning the files).
    func earliestScheduledCheck() async throws -> Date?
    /// Every version whose file's last check failed, with that check.
    func fixityFailures() async throws -> [FixityFailure]
    /// History entries checked at or after `since`, oldest first, after the entry `after` (keyset pagination).
    func fixityHistory(since: Date, after: FixityCheck?, limit: Int) async throws -> [FixityCheck]
}

/// A stored API token: only a hash of its secret is kept.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var secretHash: String
    public var isAdmin: Bool
    public var created: Date
    /// When it stops working by itself (nil: never).
    public var expires: Date?
    /// When it was revoked (nil: it was not).
    public var revoked: Date?
    /// When it was last used, to within a minute (nil: never).
    public var lastUsed: Date?

    public init(
        id: String, name: String, secretHash: String, isAdmin: Bool, created: Date, expires: Date? = nil,
        revoked: Date? = nil, lastUsed: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.isAdmin = isAdmin
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }

    /// Whether it still grants access at `date`.
    public func isValid(at date: Date) -> Bool {
        revoked == nil && (expires.map { date < $0 } ?? true)
    }
}

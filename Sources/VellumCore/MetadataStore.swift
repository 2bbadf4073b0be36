import Foundation

/// The metadata database. Implementations (SQLite, later PostgreSQL) live in VellumStore; services hold the rules.
public protocol MetadataStore: Sendable {
    /// Runs `body` against committed state (no locks held).
    func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// Runs `body` in one write transaction that commits durably before this returns. If `body` throws, none of
    /// its writes happen. Concurrent writes may share one commit (group commit).
    func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// Closes connections.
    func shutdown() async
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

    func bucket(_ id: UUID) async throws -> Bucket?
    func insertBucket(_ bucket: Bucket) async throws
    /// Adds `delta` to the bucket's size and returns the bucket as it is now (nil if there is none).
    @discardableResult
    func addToBucketSize(_ id: UUID, _ delta: Int64, updated: Date) async throws -> Bucket?

    func insertFile(_ file: FileInstance) async throws
    func fileExists(_ id: UUID) async throws -> Bool
    func fileReferenceCount(_ id: UUID) async throws -> Int
    /// Marks a file whose bytes must be deleted; the row goes once they are.
    func markFileDeleting(_ id: UUID) async throws
    func filesMarkedDeleting() async throws -> [FileInstance]
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
}

/// A stored API token: only a hash of its secret is kept.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var secretHash: String
    public var isAdmin: Bool
    public var created: Date

    public init(id: String, name: String, secretHash: String, isAdmin: Bool, created: Date) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.isAdmin = isAdmin
        self.created = created
    }
}

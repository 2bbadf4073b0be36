import Foundation

/// Object versions (`object_versions`): heads, history and listings.
public protocol VersionQueries {
    func headVersion(bucketID: UUID, key: ObjectKey) async throws -> ObjectVersion?

    /// The bucket and the head version of `key` in it (nil if none), in one query; nil if there is no bucket.
    func bucketAndHead(bucketID: UUID, key: ObjectKey) async throws -> (Bucket, ObjectVersion?)?

    func version(bucketID: UUID, versionID: UUID) async throws -> ObjectVersion?

    /// Inserts `version` as the new head of its key, clearing the previous head. Returns the version as stored: its
    /// `created` is moved just past the previous head's when the clock did not advance.
    @discardableResult
    func insertHeadVersion(_ version: ObjectVersion) async throws -> ObjectVersion

    func deleteVersion(_ versionID: UUID) async throws

    /// Makes the newest remaining version of a key its head (after the head was removed).
    func promoteNewestVersion(bucketID: UUID, key: ObjectKey) async throws

    /// Head versions with content (or every version, delete markers included), ordered by key, newest first.
    func listVersions(_ query: ListQuery) async throws -> [ObjectVersion]

    /// How many head versions with content a bucket has, and their bytes.
    func headTotals(bucketID: UUID) async throws -> (count: Int, bytes: Int64)

    /// Makes every head version with content of bucket `from` a head version of bucket `to` (which has none yet)
    /// that uses the same file; returns how many were made and their bytes.
    func copyHeadVersions(from: UUID, to: UUID, at date: Date) async throws -> (count: Int, bytes: Int64)

    /// Deletes every version of a bucket; returns the files they used, each once.
    func deleteVersions(bucketID: UUID) async throws -> [FileInstance]
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

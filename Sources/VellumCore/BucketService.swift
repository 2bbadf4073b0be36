import Foundation

/// Buckets: creating them, listing their objects, their limits and settings, deleting them.
public struct BucketService: FilesService {
    public let context: FilesContext

    public init(context: FilesContext) { self.context = context }
}

/// What a client may set when creating a bucket.
public struct BucketOptions: Sendable, Equatable, Decodable {
    public var quotaSize: Int64?
    public var maxFileSize: Int64?
    public var location: String?
    public var isPublic: Bool?

    enum CodingKeys: String, CodingKey {
        case quotaSize = "quota_size"
        case maxFileSize = "max_file_size"
        case location
        case isPublic = "public"
    }

    public init(quotaSize: Int64? = nil, maxFileSize: Int64? = nil, location: String? = nil, isPublic: Bool? = nil) {
        self.quotaSize = quotaSize
        self.maxFileSize = maxFileSize
        self.location = location
        self.isPublic = isPublic
    }
}

/// A bucket's quota and largest file, in bytes (nil, or 0 as in Invenio, for none).
public struct BucketLimits: Sendable, Equatable {
    public var quotaSize: Int64?
    public var maxFileSize: Int64?

    public init(quotaSize: Int64? = nil, maxFileSize: Int64? = nil) {
        self.quotaSize = quotaSize
        self.maxFileSize = maxFileSize
    }

    /// Whether a non-admin may replace the limit `current` with `new`: lower it, never raise or remove it.
    static func mayLower(_ current: Int64?, to new: Int64?) -> Bool {
        guard let current, current > 0 else { return true }
        guard let new, new > 0 else { return false }
        return new <= current
    }

    static let raiseRefused = FilesError(.forbidden, "Only an administrator may raise or remove a bucket's limits.")
}

/// One page of a bucket listing.
public struct BucketPage: Sendable {
    public var bucket: Bucket
    public var contents: [ObjectVersion]
    /// True when more entries follow the last one.
    public var hasMore: Bool
}

extension BucketService {
    public static let maxPageSize = 1000

    /// Creates a bucket owned by `principal`, in the named or the default location, with the default limits unless
    /// it asks for others (a non-admin only for lower ones).
    public func createBucket(_ options: BucketOptions, by principal: Principal) async throws -> Bucket {
        guard principal.isAuthenticated else { throw FilesError.unauthenticated }
        for (field, value) in [("quota_size", options.quotaSize), ("max_file_size", options.maxFileSize)] {
            if let value, value < 0 { throw FilesError.badParameter(field, "\(field) must be a non-negative integer.") }
        }
        let quotaSize = options.quotaSize ?? bucketDefaults.quotaSize
        let maxFileSize = options.maxFileSize ?? bucketDefaults.maxFileSize
        if !principal.isAdmin,
            !BucketLimits.mayLower(bucketDefaults.quotaSize, to: quotaSize)
                || !BucketLimits.mayLower(bucketDefaults.maxFileSize, to: maxFileSize)
        {
            throw BucketLimits.raiseRefused
        }
        return try await store.write { session in
            let locations = try await session.locations()
            let location: Location?
            if let name = options.location {
                location = locations.first { $0.name == name }
                guard location != nil else { throw FilesError.badParameter("location", "Unknown location '\(name)'.") }
            } else {
                location = locations.first(where: \.isDefault)
            }
            guard let location else { throw FilesError(.failure, "No default storage location is configured.") }
            let now = Date()
            let bucket = Bucket(
                id: UUID(), owner: principal.tokenID, location: location.name, quotaSize: quotaSize,
                maxFileSize: maxFileSize, isPublic: options.isPublic ?? false, created: now, updated: now)
            try await session.insertBucket(bucket)
            return bucket
        }
    }

    /// One page of head versions (or of all versions, delete markers included) of a bucket.
    public func list(_ query: ListQuery, by principal: Principal) async throws -> BucketPage {
        guard (1...Self.maxPageSize).contains(query.limit) else {
            throw FilesError.badParameter("size", "size must be between 1 and \(Self.maxPageSize).")
        }
        let bucket = try await readableBucket(query.bucketID, by: principal)
        var extended = query
        extended.limit += 1
        // Keys are stored in NFC; compare like with like.
        extended.prefix = query.prefix?.precomposedStringWithCanonicalMapping
        extended.afterKey = query.afterKey?.precomposedStringWithCanonicalMapping
        let probe = extended
        let versions = try await store.read { try await $0.listVersions(probe) }
        return BucketPage(bucket: bucket, contents: Array(versions.prefix(query.limit)), hasMore: versions.count > query.limit)
    }
}

/// A partial update of a bucket's settings; a nil field is left as it is, and `.some(nil)` clears a limit.
public struct BucketChanges: Sendable, Equatable {
    public var quotaSize: Int64??
    public var maxFileSize: Int64??
    public var locked: Bool?
    public var isPublic: Bool?

    public init(quotaSize: Int64?? = nil, maxFileSize: Int64?? = nil, locked: Bool? = nil, isPublic: Bool? = nil) {
        self.quotaSize = quotaSize
        self.maxFileSize = maxFileSize
        self.locked = locked
        self.isPublic = isPublic
    }
}

extension BucketService {
    /// Changes a bucket's settings. The owner may change an unlocked bucket (and lock it) and lower its limits, but
    /// not raise or remove them (403); once it is locked, only an admin may change it or unlock it, so that a
    /// published record's files stay as they are.
    public func updateBucket(_ id: UUID, _ changes: BucketChanges, by principal: Principal) async throws -> Bucket {
        for (field, value) in [("quota_size", changes.quotaSize), ("max_file_size", changes.maxFileSize)] {
            if let value = value ?? nil, value < 0 {
                throw FilesError.badParameter(field, "\(field) must be a non-negative integer or null.")
            }
        }
        let bucket = try await readableBucket(id, by: principal)
        try Self.checkOwner(bucket, principal)
        return try await store.write { session in
            guard let before = try await session.bucket(id) else { throw FilesError.bucketNotFound }
            if before.locked && !principal.isAdmin { throw FilesError.bucketLocked }
            if !principal.isAdmin,
                !BucketLimits.mayLower(before.quotaSize, to: changes.quotaSize ?? before.quotaSize)
                    || !BucketLimits.mayLower(before.maxFileSize, to: changes.maxFileSize ?? before.maxFileSize)
            {
                throw BucketLimits.raiseRefused
            }
            var after = before
            if let quota = changes.quotaSize { after.quotaSize = quota }
            if let max = changes.maxFileSize { after.maxFileSize = max }
            if let locked = changes.locked { after.locked = locked }
            if let isPublic = changes.isPublic { after.isPublic = isPublic }
            guard after != before else { return before }
            after.updated = Date()
            try await session.updateBucket(after)
            return after
        }
    }

    /// Deletes a bucket that holds no data: no version with bytes and no unfinished multipart upload (409
    /// otherwise). Delete markers and finished uploads go with it.
    public func deleteBucket(_ id: UUID, by principal: Principal) async throws {
        _ = try await writableBucket(id, by: principal)
        try await freeingSpace {
            try await store.write { session in
                guard let bucket = try await session.bucket(id) else { throw FilesError.bucketNotFound }
                guard !bucket.locked else { throw FilesError.bucketLocked }
                guard try await !session.bucketHoldsData(id) else {
                    throw FilesError(.conflict, "Bucket is not empty: delete its object versions and multipart uploads first.")
                }
                try await session.deleteBucket(id)
            }
        }
    }
}

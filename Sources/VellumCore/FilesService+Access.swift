import Foundation

extension FilesService {
    /// The bucket if `principal` may read it; private buckets of others are reported missing.
    public func readableBucket(_ id: UUID, by principal: Principal) async throws -> Bucket {
        guard let bucket = try await store.read({ try await $0.bucket(id) }),
            Self.canRead(bucket, principal)
        else { throw FilesError.bucketNotFound }
        return bucket
    }

    /// The bucket if `principal` may change it: 404 when it cannot even see it, 401/403 when it can only read it,
    /// 403 when it is locked.
    public func writableBucket(_ id: UUID, by principal: Principal) async throws -> Bucket {
        let bucket = try await readableBucket(id, by: principal)
        try Self.checkWrite(bucket, principal)
        return bucket
    }

    static func canRead(_ bucket: Bucket, _ principal: Principal) -> Bool {
        bucket.isPublic || isOwner(bucket, principal)
    }

    static func isOwner(_ bucket: Bucket, _ principal: Principal) -> Bool {
        principal.isAdmin || (principal.tokenID != nil && principal.tokenID == bucket.owner)
    }

    static func checkWrite(_ bucket: Bucket, _ principal: Principal) throws {
        try checkOwner(bucket, principal)
        guard !bucket.locked else { throw FilesError.bucketLocked }
    }

    /// 401/403 unless `principal` owns the bucket (or is an admin).
    static func checkOwner(_ bucket: Bucket, _ principal: Principal) throws {
        guard isOwner(bucket, principal) else { throw principal.refusal }
    }
}

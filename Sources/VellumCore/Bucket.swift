import Foundation

/// A container of versioned objects, stored in one location, owned by the token that created it.
public struct Bucket: Sendable, Equatable {
    public var id: UUID
    public var owner: String?
    public var location: String
    /// Bytes held by every version that has content (soft-deleted objects keep their bytes until their versions go).
    public var size: Int64
    public var quotaSize: Int64?
    public var maxFileSize: Int64?
    public var locked: Bool
    public var isPublic: Bool
    public var created: Date
    public var updated: Date

    public init(
        id: UUID, owner: String?, location: String, size: Int64 = 0, quotaSize: Int64?, maxFileSize: Int64?,
        locked: Bool = false, isPublic: Bool = false, created: Date, updated: Date
    ) {
        self.id = id
        self.owner = owner
        self.location = location
        self.size = size
        self.quotaSize = quotaSize
        self.maxFileSize = maxFileSize
        self.locked = locked
        self.isPublic = isPublic
        self.created = created
        self.updated = updated
    }

    /// Bytes still allowed by the quota (nil when there is no quota; 0 or null means unlimited, as in Invenio).
    public var quotaLeft: Int64? {
        guard let quotaSize, quotaSize > 0 else { return nil }
        return max(quotaSize - size, 0)
    }

    /// The largest file a new upload may have, and the error to report when it is exceeded.
    public var uploadLimit: (bytes: Int64, error: FilesError)? {
        switch (quotaLeft, maxFileSize.flatMap { $0 > 0 ? $0 : nil }) {
        case (nil, nil): return nil
        case (let q?, nil): return (q, .quotaExceeded)
        case (nil, let m?): return (m, .maxFileSizeExceeded)
        case (let q?, let m?): return q < m ? (q, .quotaExceeded) : (m, .maxFileSizeExceeded)
        }
    }
}

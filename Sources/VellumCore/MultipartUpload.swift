import Foundation

/// A multipart upload: parts of a fixed size (the last may be shorter) written in place, in any order, into one
/// pending file whose bytes are reserved in the bucket's quota from the start.
public struct MultipartUpload: Sendable, Equatable {
    public var id: UUID
    public var bucketID: UUID
    public var key: String
    /// The pending file the parts are written into; it becomes the version's file on completion.
    public var fileID: UUID
    public var location: String
    public var size: Int64
    public var partSize: Int64
    public var contentType: String?
    public var tags: [String: String]
    /// Set once the upload completed: the version it produced.
    public var versionID: UUID?
    public var created: Date
    /// The last time a part arrived (uploads expire this long after their last activity).
    public var updated: Date

    public init(
        id: UUID, bucketID: UUID, key: String, fileID: UUID, location: String, size: Int64, partSize: Int64,
        contentType: String? = nil, tags: [String: String] = [:], versionID: UUID? = nil, created: Date, updated: Date
    ) {
        self.id = id
        self.bucketID = bucketID
        self.key = key
        self.fileID = fileID
        self.location = location
        self.size = size
        self.partSize = partSize
        self.contentType = contentType
        self.tags = tags
        self.versionID = versionID
        self.created = created
        self.updated = updated
    }

    public var completed: Bool { versionID != nil }
    /// Number of parts; a total that is an exact multiple of the part size has no empty last part.
    public var partCount: Int { Int((size + partSize - 1) / partSize) }
    public var lastPartNumber: Int { partCount - 1 }
    public var lastPartSize: Int64 { size - Int64(lastPartNumber) * partSize }

    /// The byte range part `number` covers.
    public func range(ofPart number: Int) -> Range<Int64> {
        let start = Int64(number) * partSize
        return start..<min(start + partSize, size)
    }
}

/// One received part; its bytes are durable in the upload's pending file.
public struct UploadPart: Sendable, Equatable {
    public var uploadID: UUID
    public var number: Int
    public var size: Int64
    public var checksums: Checksums
    public var created: Date
    public var updated: Date

    public init(uploadID: UUID, number: Int, size: Int64, checksums: Checksums, created: Date, updated: Date) {
        self.uploadID = uploadID
        self.number = number
        self.size = size
        self.checksums = checksums
        self.created = created
        self.updated = updated
    }
}

/// The limits of multipart uploads (api.md §3).
public enum MultipartLimits {
    public static let minPartSize: Int64 = 5 << 20
    public static let maxPartSize: Int64 = 5 << 30
    public static let maxParts: Int64 = 10_000
}

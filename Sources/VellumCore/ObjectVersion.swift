import Foundation

/// One version of a key in a bucket; a version without a file is a delete marker.
public struct ObjectVersion: Sendable, Equatable {
    public var versionID: UUID
    public var bucketID: UUID
    public var key: String
    public var file: FileInstance?
    public var mimetype: String?
    public var isHead: Bool
    public var tags: [String: String]
    public var created: Date
    public var updated: Date

    public init(
        versionID: UUID, bucketID: UUID, key: String, file: FileInstance?, mimetype: String?, isHead: Bool,
        tags: [String: String] = [:], created: Date, updated: Date
    ) {
        self.versionID = versionID
        self.bucketID = bucketID
        self.key = key
        self.file = file
        self.mimetype = mimetype
        self.isHead = isHead
        self.tags = tags
        self.created = created
        self.updated = updated
    }

    public var isDeleteMarker: Bool { file == nil }
    public var size: Int64 { file?.size ?? 0 }
}

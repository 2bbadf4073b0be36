import Foundation

/// Immutable bytes in one location, written once and shared by any number of versions.
public struct FileInstance: Sendable, Equatable {
    public var id: UUID
    public var location: String
    public var size: Int64
    public var checksums: Checksums
    public var lastCheckAt: Date?
    public var lastCheck: Bool?
    public var created: Date

    public init(
        id: UUID, location: String, size: Int64, checksums: Checksums, lastCheckAt: Date? = nil,
        lastCheck: Bool? = nil, created: Date
    ) {
        self.id = id
        self.location = location
        self.size = size
        self.checksums = checksums
        self.lastCheckAt = lastCheckAt
        self.lastCheck = lastCheck
        self.created = created
    }
}

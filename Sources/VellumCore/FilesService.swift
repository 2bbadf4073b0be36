import Foundation
import Logging
import NIOCore

/// Every business rule of buckets and versioned objects: permissions, quotas, versioning and durability order.
public struct FilesService: Sendable {
    public let store: any MetadataStore
    public let storage: StorageRegistry
    public let mime: MimeDetector
    public let logger: Logger
    /// The limits new buckets get when their creator sets none (`VELLUM_DEFAULT_QUOTA_SIZE`, `..._MAX_FILE_SIZE`).
    public let bucketDefaults: BucketLimits
    /// Space kept aside on the database's disk for deletions (see `FilesService+Space`).
    public let spaceReserve: (any SpaceReserve)?
    let progress = MultipartProgress()

    public init(
        store: any MetadataStore, storage: StorageRegistry, mime: MimeDetector = MimeDetector(),
        bucketDefaults: BucketLimits = BucketLimits(), spaceReserve: (any SpaceReserve)? = nil, logger: Logger
    ) {
        self.store = store
        self.storage = storage
        self.mime = mime
        self.bucketDefaults = bucketDefaults
        self.spaceReserve = spaceReserve
        self.logger = logger
    }

    /// Whether the database and the default location answer.
    public func healthy() async -> Bool {
        do {
            let locations = try await store.read { session in
                try await session.ping()
                return try await session.locations()
            }
            guard let location = locations.first(where: \.isDefault) else { return false }
            try await storage.backend(for: location.name).checkHealth()
            return true
        } catch {
            logger.warning("health check failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Settles a blob whose metadata is committed; if that fails, start-up recovery settles it.
    func settle(_ id: UUID, on backend: any StorageBackend) async {
        do {
            try await backend.settle(id)
        } catch {
            logger.warning("could not settle blob; a maintenance pass will", metadata: ["file": "\(id)"])
        }
    }

    /// The path of a stored file's bytes on this machine, when its location keeps them in a local file.
    /// Where a download of the file should be redirected (see `StorageBackend.downloadURL`), if anywhere.
    public func downloadURL(_ file: FileInstance, contentType: String, disposition: String) async throws -> String? {
        try await storage.backend(for: file.location).downloadURL(file.id, contentType: contentType, disposition: disposition)
    }

    public func localPath(_ file: FileInstance) async throws -> String? {
        try await storage.backend(for: file.location).localPath(file.id)
    }

    /// Opens part of a stored file (all of it when `range` is nil) for streaming.
    public func open(_ file: FileInstance, range: Range<Int64>?) async throws -> any BlobReader {
        try await storage.backend(for: file.location).open(file.id, range: range ?? 0..<file.size)
    }
}

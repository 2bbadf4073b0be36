import Foundation
import Logging

/// What the files services share: the store, the storage, and what every rule of buckets and versioned objects
/// needs (permissions, quotas, versioning, durability order; see `FilesService`).
public struct FilesContext: Sendable {
    public let store: any MetadataStore
    public let storage: StorageRegistry
    public let mime: MimeDetector
    public let logger: Logger
    /// The limits new buckets get when their creator sets none (`VELLUM_DEFAULT_QUOTA_SIZE`, `..._MAX_FILE_SIZE`).
    public let bucketDefaults: BucketLimits
    /// Space kept aside on the database's disk for deletions (see `FilesService+Space`).
    public let spaceReserve: (any SpaceReserve)?
    /// What is made of stored files, by kind (a IIIF pyramid of each image); asked for as versions commit.
    public let producers: [any DerivativeProducer]
    let progress = MultipartProgress()

    public init(
        store: any MetadataStore, storage: StorageRegistry, mime: MimeDetector = MimeDetector(),
        bucketDefaults: BucketLimits = BucketLimits(), spaceReserve: (any SpaceReserve)? = nil,
        producers: [any DerivativeProducer] = [], logger: Logger
    ) {
        self.store = store
        self.storage = storage
        self.mime = mime
        self.bucketDefaults = bucketDefaults
        self.spaceReserve = spaceReserve
        self.producers = producers
        self.logger = logger
    }
}

/// A service of the files domain: one job (`BucketService`, `ObjectService`, `MultipartService`,
/// `FilesAdministration`) over the shared `FilesContext`. The rules more than one job applies (access, quota
/// holds, the space reserve, writing and committing a blob, removing bytes) are extensions of this protocol.
public protocol FilesService: Sendable {
    var context: FilesContext { get }
}

extension FilesService {
    public var store: any MetadataStore { context.store }
    public var storage: StorageRegistry { context.storage }
    public var logger: Logger { context.logger }
    var mime: MimeDetector { context.mime }
    var bucketDefaults: BucketLimits { context.bucketDefaults }
    var spaceReserve: (any SpaceReserve)? { context.spaceReserve }
    var progress: MultipartProgress { context.progress }

    /// Settles a blob whose metadata is committed; if that fails, start-up recovery settles it.
    func settle(_ id: UUID, on backend: any StorageBackend) async {
        do {
            try await backend.settle(id)
        } catch {
            logger.warning("could not settle blob; a maintenance pass will", metadata: ["file": "\(id)"])
        }
    }
}

/// The four files services over one context, as the composition root hands them to the front-ends.
public struct FilesServices: Sendable {
    public let context: FilesContext
    public let buckets: BucketService
    public let objects: ObjectService
    public let multipart: MultipartService
    public let administration: FilesAdministration

    public init(_ context: FilesContext) {
        self.context = context
        buckets = BucketService(context: context)
        objects = ObjectService(context: context)
        multipart = MultipartService(context: context)
        administration = FilesAdministration(context: context)
    }
}

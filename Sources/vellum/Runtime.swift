import CMalloc
import Foundation
import LocalStorage
import Logging
import NIOPosix
import VellumCore
import VellumRecordsStore
import VellumStore

/// The parts every command shares: the metadata store, the storage registry and the thread pool for disk I/O.
struct Runtime {
    let settings: Settings
    let store: any MetadataStore
    let storage: StorageRegistry
    let factory: BackendFactory
    let threadPool: NIOThreadPool
    let logger: Logger

    /// Opens the runtime, runs `body` while its store runs (after making sure a default location exists), and
    /// closes everything, whether `body` throws or not.
    static func with<R>(_ settings: Settings, logger: Logger, _ body: (Runtime) async throws -> R) async throws -> R {
        let runtime = try await open(settings, logger: logger)
        defer { runtime.threadPool.shutdownGracefully { _ in } }
        return try await runtime.store.whileRunning {
            try await runtime.ensureDefaultLocation()
            return try await body(runtime)
        }
    }

    /// The files services' context for a command: this runtime's store and storage, the settings' bucket limits.
    var filesContext: FilesContext {
        FilesContext(
            store: store, storage: storage,
            bucketDefaults: BucketLimits(quotaSize: settings.defaultQuotaSize, maxFileSize: settings.defaultMaxFileSize), logger: logger)
    }

    /// Opens the database (migrating it). Its store works once it runs: see `with` and `ServeCommand`.
    static func open(_ settings: Settings, logger: Logger) async throws -> Runtime {
        // Blocks of 4 MiB and more (S3 part buffers, large image regions) are mapped and unmapped each time:
        // glibc's default raises this threshold as such blocks are freed, after which they come from per-thread
        // arenas that fragment and keep tens of MiB resident after a large upload.
        mallopt(M_MMAP_THRESHOLD, 4 << 20)
        try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true)
        let threadPool = NIOThreadPool(numberOfThreads: 16)
        threadPool.start()
        let store = try await openStore(settings.resolvedDatabaseURL, logger: logger)
        let factory = BackendFactory(threadPool: threadPool, settings: settings)
        let storage = StorageRegistry(store: store, factory: factory)
        return Runtime(
            settings: settings, store: store, storage: storage, factory: factory, threadPool: threadPool, logger: logger)
    }

    /// The schema steps of the attached modules, beside the files core's: a module's store target declares a
    /// `SchemaModule`, and it is registered here.
    static let schemas: [SchemaModule] = [RecordsSchema.module]

    /// The store `url` names: `sqlite://PATH` or `postgres://...` (`postgresql://` too).
    static func openStore(_ url: String, logger: Logger, migrate: Bool = true) async throws -> any MetadataStore {
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            return try await SQLiteMetadataStore.open(path: path, logger: logger, migrate: migrate, modules: schemas)
        }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await PostgresMetadataStore.open(url: url, logger: logger, migrate: migrate, modules: schemas)
        }
        throw ConfigurationError("Unsupported database URL: expected sqlite://PATH or postgres://USER@HOST:PORT/DB.")
    }

    /// On first start, the location `default`: `default_location`, or a directory `default` under the data directory.
    func ensureDefaultLocation() async throws {
        let locations = try await store.read { try await $0.locations() }
        guard !locations.contains(where: \.isDefault) else { return }
        let root = URL(fileURLWithPath: settings.dataDir).standardizedFileURL.appendingPathComponent("default").path
        let uri = settings.defaultLocation ?? "file://\(root)"
        let location = Location(name: "default", uri: uri, isDefault: true, created: Date())
        try await factory.prepare(location)
        try await store.write { session in
            if try await session.locations().contains(where: { $0.name == location.name }) {
                try await session.setDefaultLocation(location.name)
            } else {
                try await session.insertLocation(location)
            }
        }
    }
}

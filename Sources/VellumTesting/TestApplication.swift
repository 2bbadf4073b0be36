import Foundation
import Hummingbird
import IIIF
import IIIFGrammar
import LocalStorage
import Logging
import NIOPosix
import PreviewHTTP
import VellumCore
import VellumHTTP
import VellumHTTPSupport
import VellumRecords
import VellumRecordsHTTP
import VellumRecordsStore
import VellumStore

/// The whole files daemon in this process, on real parts that need no server of their own: SQLite in a temporary
/// directory and a local-disk location beside it. Its router serves `HummingbirdTesting`'s `.router` tests (no
/// socket, no daemon to start); `shutdown()` removes everything.
public struct TestApplication {
    public let directory: String
    public let store: SQLiteMetadataStore
    public let files: FilesServices
    public let tokens: TokenService
    public let router: Router<VellumRequestContext>
    /// An administrator's bearer token.
    public let admin: String
    let threadPool: NIOThreadPool
    let renderer: IIIFRenderer

    public static func make(bucketDefaults: BucketLimits = BucketLimits(), previewSettings: PreviewSettings = PreviewSettings())
        async throws -> TestApplication
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-test-\(UUID().lowercased)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "vellum-test")
        logger.logLevel = .warning
        let threadPool = NIOThreadPool(numberOfThreads: 4)
        threadPool.start()
        let store = try await SQLiteMetadataStore.open(path: directory + "/vellum.db", logger: logger, modules: [RecordsSchema.module])
        let factory = LocalBackendFactory(threadPool: threadPool)
        let location = Location(name: "default", uri: "file://\(directory)/default", isDefault: true, created: Date())
        try await factory.prepare(location)
        try await store.write { try await $0.insertLocation(location) }
        let storage = StorageRegistry(store: store, factory: factory)
        let files = FilesServices(FilesContext(store: store, storage: storage, bucketDefaults: bucketDefaults, logger: logger))
        let tokens = TokenService(store: store)
        let admin = try await tokens.create(name: "admin", isAdmin: true).secret
        // No scratch directory: the renderer would point this whole process's TMPDIR at it.
        let renderer = try IIIFRenderer(
            settings: .init(
                maxPixels: 100_000_000, limits: Limits(maxWidth: 10_000, maxHeight: 10_000, maxArea: 100_000_000), threads: 1,
                queue: 8))
        let metrics = VellumMetrics()
        let images = IIIFImages(
            files: files, renderer: renderer, copies: try LocalCopies(context: files.context, directory: directory + "/cache/iiif", capacity: 1 << 30)
        )
        let previews = try PreviewController(
            files: files, settings: previewSettings, dataDir: directory, apiURL: "http://localhost",
            images: { try await images.serve($0, bucketID: $1.bucketID, key: $1.key, versionID: $1.versionID, path: $2, base: $3, principal: $4) })
        var http = HTTPDependencies(
            files: files, tokens: tokens,
            links: LinkPolicy(
                publicURL: "http://localhost",
                versionLinks: [{ ("preview", previews.link(bucketID: $0.bucketID, key: $0.key, versionID: $0.versionID, base: $1)) }]),
            metrics: metrics, fixity: FixityService(store: store, storage: storage, logger: logger), fixityPeriod: .seconds(86_400),
            iiif: images, workers: { [] })
        http.middleware = [PreviewOriginGuard(url: previewSettings.url)]
        let recordsService = RecordsService(files: files.context)
        let records = RecordsController(
            service: recordsService, publicURL: "http://localhost",
            canvases: { try await images.canvases(bucketID: $0, base: $1, principal: $2) })
        let pids = PIDController(service: recordsService, publicURL: "http://localhost")
        http.modules = [
            ("/preview", { previews.routes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/records", { records.routes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/schemas", { records.schemaRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/pid", { pids.resolverRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/doi", { pids.doiRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/pids", { pids.adminRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/oai2d", { OAIController(service: recordsService, settings: OAISettings(), dataCentre: nil).routes() }),
        ]
        let router = VellumRouter.build(http)
        return TestApplication(
            directory: directory, store: store, files: files, tokens: tokens, router: router, admin: admin,
            threadPool: threadPool, renderer: renderer)
    }

    /// Closes the database and the threads, and removes the directory.
    public func shutdown() async {
        try? await renderer.shutdown()
        await store.close()
        try? await threadPool.shutdownGracefully()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Backends for `file://` locations only.
struct LocalBackendFactory: StorageBackendFactory {
    let threadPool: NIOThreadPool

    func makeBackend(for location: Location) throws -> any StorageBackend {
        try LocalStorage(root: try Self.root(location), threadPool: threadPool)
    }

    func prepare(_ location: Location) async throws {
        try LocalStorage.prepare(root: try Self.root(location))
    }

    static func root(_ location: Location) throws -> String {
        guard location.uri.hasPrefix("file:///") else { throw ConfigurationError("Test locations are file:// only.") }
        return String(location.uri.dropFirst("file://".count))
    }
}

import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import IIIF
import LocalStorage
import Logging
import PreviewHTTP
import ServiceLifecycle
import VellumCore
import VellumHTTP
import VellumHTTPSupport
import VellumRecords
import VellumRecordsHTTP

/// `vellum serve`: run the daemon until SIGTERM or SIGINT, then drain in-flight requests and exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the daemon.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on (VELLUM_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (VELLUM_PORT, default 5000).", transform: { try SettingValue.port($0, name: "--port") })
    var port: Int?
    @Option(help: "Base URL used in links (VELLUM_PUBLIC_URL).") var publicURL: String?

    func run() async throws {
        var settings = try common.settings()
        settings.host = host ?? settings.host
        settings.port = port ?? settings.port
        settings.publicURL = publicURL ?? settings.publicURL
        let logger = LogSetup.bootstrapped(level: settings.logLevel)
        if let secret = settings.bootstrapToken, !secret.isEmpty, secret.count < TokenService.minimumBootstrapLength {
            throw ConfigurationError(
                "VELLUM_BOOTSTRAP_TOKEN must be at least \(TokenService.minimumBootstrapLength) characters long: it becomes an admin token.")
        }

        try FileManager.default.createDirectory(atPath: settings.dataDir, withIntermediateDirectories: true)
        let magic = MagicDatabase.prepare(in: settings.dataDir)  // first: it changes directory for a moment
        if magic == nil { logger.warning("could not compile Vellum's magic database; sniffing with libmagic's own") }
        let runtime = try await Runtime.open(settings, logger: logger)
        let renderer = try IIIFRenderer(settings: settings[IIIFSettings.self].renderer(dataDir: settings.dataDir))
        let pyramids = PyramidProducer(renderer: renderer)
        let pages = try PreviewProducer(settings: settings[PreviewSettings.self], dataDir: settings.dataDir)
        let files = FilesServices(
            FilesContext(
                store: runtime.store, storage: runtime.storage, mime: MimeDetector(database: magic),
                bucketDefaults: BucketLimits(quotaSize: settings.defaultQuotaSize, maxFileSize: settings.defaultMaxFileSize),
                spaceReserve: DiskReserve(directory: settings.dataDir), producers: [pyramids, pages], logger: logger))
        let tokens = TokenService(store: runtime.store)
        let records = try settings.records(files.context)
        let metrics = VellumMetrics()
        let fixity = FixityService(
            store: runtime.store, storage: runtime.storage, logger: logger, observe: { metrics.fixityChecked($0) })
        let workers = WorkerRunner(
            workers: [
                MaintenanceWorker(administration: files.administration, uploadExpiry: settings.multipartExpires) {
                    metrics.purgedFiles.increment(by: Int64($0))
                },
                JobWorker(DerivativeJobs(pyramids, administration: files.administration), store: runtime.store, logger: logger),
                JobWorker(DerivativeJobs(pages, administration: files.administration), store: runtime.store, logger: logger),
                FixityWorker(fixity: fixity, settings: settings.fixity) { metrics.fixityLag.set($0.seconds) },
                StorageWorker(storage: runtime.storage),
                EmbargoWorker(records: records),
                SearchOutboxWorker(records: records),
            ] + Self.doiWorkers(settings, records), store: runtime.store, logger: logger)
        let copies = try LocalCopies(
            context: files.context, directory: settings.dataDir + "/cache/iiif",
            capacity: Int64(settings[IIIFSettings.self].copiesMB) << 20)
        let images = IIIFImages(files: files, renderer: renderer, copies: copies)
        let previews = try PreviewController(
            files: files, settings: settings[PreviewSettings.self], dataDir: settings.dataDir, apiURL: settings.resolvedPublicURL,
            images: { try await images.serve($0, bucketID: $1.bucketID, key: $1.key, versionID: $1.versionID, path: $2, base: $3, principal: $4) })
        var http = HTTPDependencies(
            files: files, tokens: tokens,
            links: LinkPolicy(
                publicURL: settings.resolvedPublicURL, allowedHosts: Set(settings.allowedHosts),
                versionLinks: [{ ("preview", previews.link(bucketID: $0.bucketID, key: $0.key, versionID: $0.versionID, base: $1)) }],
                downloadLinks: [{ [publicURL = settings.resolvedPublicURL] in try await records.downloadSignposts(bucket: $0, publicURL: publicURL) }]
            ),
            metrics: metrics, fixity: fixity, fixityPeriod: .seconds(settings.fixityPeriod),
            iiif: images, workers: { workers.statuses })
        http.middleware = [PreviewOriginGuard(url: settings[PreviewSettings.self].url)]
        let recordRoutes = RecordsController(
            service: records, publicURL: settings.resolvedPublicURL,
            canvases: { try await images.canvases(bucketID: $0, base: $1, principal: $2) })
        let pidRoutes = PIDController(service: records, publicURL: settings.resolvedPublicURL)
        let oaiRoutes = OAIController(
            service: records, settings: settings[OAISettings.self], dataCentre: settings[PIDSettings.self].dataCiteUsername)
        http.modules = [
            ("/preview", { previews.routes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/records", { recordRoutes.routes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/schemas", { recordRoutes.schemaRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/pid", { pidRoutes.resolverRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/doi", { pidRoutes.doiRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/pids", { pidRoutes.adminRoutes(auth: AuthMiddleware(tokens: tokens)) }),
            ("/oai2d", { oaiRoutes.routes() }),
        ]
        let router = VellumRouter.build(http)
        let connections = Connections(
            limits: .init(
                header: .milliseconds(Int64(settings.headerTimeout * 1000)),
                idle: .milliseconds(Int64(settings.idleTimeout * 1000)), body: .milliseconds(Int64(settings.bodyTimeout * 1000))),
            timedOut: { metrics.connectionTimedOut($0) })
        let maxConnections = OpenFiles.raiseLimit(connections: settings.maxConnections, logger: logger)
        let app = Application(
            router: router,
            server: .http1(
                configuration: .init(additionalChannelHandlers: [
                    LargeReadsHandler(), connections.handler(), ContinueHandler(),
                ])),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: "vellum", backlog: 1024,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            onServerRunning: { channel in
                logger.notice("listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
            },
            logger: logger)
        let server = DrainingServer(server: app, connections: connections, drain: .seconds(settings.drainTimeout), logger: logger)

        // The store runs first and so stops last; once it runs, start-up work, then the workers and the HTTP server
        // join the group. Shut down in reverse order: the HTTP server (it drains), the workers, the store.
        let group = ServiceGroup(
            configuration: .init(services: [runtime.store], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { runtime.threadPool.shutdownGracefully { _ in } }
        try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            do {
                try await runtime.ensureDefaultLocation()
                if let secret = settings.bootstrapToken, !secret.isEmpty { try await tokens.ensureBootstrap(secret: secret) }
                try await files.administration.recover(uploadExpiry: settings.multipartExpires)
                // Embargoes that lifted while no daemon ran open at once, not a minute later.
                _ = try await records.liftEmbargoes()
                // A database from before search is indexed before the daemon serves.
                try await records.ensureSearchIndex()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.addServiceUnlessShutdown(workers)
            await group.addServiceUnlessShutdown(server)
            try await running.waitForAll()
        }
        try? await renderer.shutdown()
        logger.notice("stopped")
    }

    /// The DOI worker, with a DOI prefix and DataCite credentials (without credentials, DOIs wait, pending).
    static func doiWorkers(_ settings: Settings, _ records: RecordsService) -> [any BackgroundWorker] {
        let pids = settings[PIDSettings.self]
        guard pids.doiPrefix != nil, !pids.dataCiteUsername.isEmpty else { return [] }
        return [DOIWorker(records: records, registrar: DataCiteRegistrar(settings: pids))]
    }
}

enum LogSetup {
    /// Structured logs on standard error at the given level.
    static func bootstrapped(level: String) -> Logger {
        let level = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "vellum")
        logger.logLevel = level
        return logger
    }
}

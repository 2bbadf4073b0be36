import Hummingbird
import IIIF
import VellumCore

/// Everything the HTTP layer needs from the rest of the daemon.
public struct HTTPDependencies: Sendable {
    public var files: FilesService
    public var tokens: TokenService
    public var links: LinkPolicy
    public var metrics: VellumMetrics
    public var fixity: FixityService
    public var fixityPeriod: Duration
    public var iiif: IIIFRenderer

    public init(
        files: FilesService, tokens: TokenService, links: LinkPolicy, metrics: VellumMetrics, fixity: FixityService,
        fixityPeriod: Duration, iiif: IIIFRenderer
    ) {
        self.files = files
        self.tokens = tokens
        self.links = links
        self.metrics = metrics
        self.fixity = fixity
        self.fixityPeriod = fixityPeriod
        self.iiif = iiif
    }
}

public enum VellumRouter {
    /// Every (method, path) the router serves, in Hummingbird's path syntax.
    public static var routes: [(method: String, path: String)] {
        (FilesController.routes + FixityController.routes + IIIFController.routes + LocationsController.routes
            + SystemController.routes + DerivativesController.routes).map { ($0.0.rawValue, $0.1) }
    }

    /// The router with all routes and middleware.
    public static func build(_ deps: HTTPDependencies) -> Router<VellumRequestContext> {
        let router = Router(context: VellumRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(metrics: deps.metrics))
        router.add(middleware: IIIFCORS())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthMiddleware(tokens: deps.tokens))
        FilesController(service: deps.files, links: deps.links, metrics: deps.metrics).register(on: router)
        FixityController(fixity: deps.fixity, period: deps.fixityPeriod).register(on: router)
        IIIFController(files: deps.files, renderer: deps.iiif, links: deps.links).register(on: router)
        LocationsController(service: deps.files).register(on: router)
        DerivativesController(service: deps.files).register(on: router)
        SystemController(service: deps.files, metrics: deps.metrics).register(on: router)
        return router
    }
}

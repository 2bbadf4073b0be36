import Hummingbird
import IIIF
import VellumCore
import VellumHTTPSupport

/// Everything the HTTP layer needs from the rest of the daemon.
public struct HTTPDependencies: Sendable {
    public var files: FilesServices
    public var tokens: TokenService
    public var links: LinkPolicy
    public var metrics: VellumMetrics
    public var fixity: FixityService
    public var fixityPeriod: Duration
    public var iiif: IIIFImages
    /// This daemon's background workers, as they are now (`WorkerRunner.statuses`).
    public var workers: @Sendable () -> [WorkerStatus]
    /// The attached modules' routes, each under its path (`/preview`), and middleware of theirs that must see every
    /// request first (after observability and error rendering).
    public var modules: [(path: String, routes: @Sendable () -> RouteCollection<VellumRequestContext>)] = []
    public var middleware: [any MiddlewareProtocol<Request, Response, VellumRequestContext>] = []

    public init(
        files: FilesServices, tokens: TokenService, links: LinkPolicy, metrics: VellumMetrics, fixity: FixityService,
        fixityPeriod: Duration, iiif: IIIFImages, workers: @escaping @Sendable () -> [WorkerStatus]
    ) {
        self.files = files
        self.tokens = tokens
        self.links = links
        self.metrics = metrics
        self.fixity = fixity
        self.fixityPeriod = fixityPeriod
        self.iiif = iiif
        self.workers = workers
    }
}

public enum VellumRouter {
    /// The router: observability and error rendering around everything; each front-end's routes as a
    /// `RouteCollection` with its own middleware (authentication on all but `/health` and `/metrics`; IIIF adds
    /// CORS).
    public static func build(_ deps: HTTPDependencies) -> Router<VellumRequestContext> {
        let router = Router(context: VellumRequestContext.self)
        router.add(middleware: ObservabilityMiddleware(metrics: deps.metrics))
        router.add(middleware: ErrorMiddleware())
        for middleware in deps.middleware { router.add(middleware: middleware) }
        let auth = AuthMiddleware(tokens: deps.tokens)
        let api = RouteCollection(context: VellumRequestContext.self).add(middleware: auth)
        api.addRoutes(FilesController(service: deps.files, links: deps.links, metrics: deps.metrics).routes)
        api.addRoutes(FixityController(fixity: deps.fixity, period: deps.fixityPeriod).routes)
        api.addRoutes(LocationsController(service: deps.files).routes)
        api.addRoutes(DerivativesController(service: deps.files).routes)
        api.addRoutes(WorkersController(statuses: deps.workers).routes)
        router.addRoutes(api)
        router.addRoutes(IIIFController(images: deps.iiif, links: deps.links).routes(auth: auth), atPath: "/iiif")
        router.addRoutes(SystemController(service: deps.files, metrics: deps.metrics).routes)
        for module in deps.modules { router.addRoutes(module.routes(), atPath: RouterPath(module.path)) }
        return router
    }
}

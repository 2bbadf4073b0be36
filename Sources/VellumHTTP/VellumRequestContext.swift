import Hummingbird
import VellumCore

/// The request context of every route: Hummingbird's core storage plus who is asking.
public struct VellumRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware`.
    public var principal: Principal = .anonymous

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

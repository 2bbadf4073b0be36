import Hummingbird
import NIOCore
import VellumCore

/// The request context of every route: Hummingbird's core storage plus who is asking.
public struct VellumRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware`.
    public var principal: Principal = .anonymous
    /// The connection, for `ContinueHandler`'s interim answer.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

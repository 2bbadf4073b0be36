import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (RFC 9110 §10.1.1). curl sends it with every upload over 1 MiB and waits a second
/// for the interim `100 Continue` before sending the body, so without it every large upload starts a second late.
///
/// The interim answer goes out when a handler first reads the body (`ObservedBody` sends `SendContinue`), not when
/// the request arrives: a request refused before its body is read (unknown bucket, no permission, over quota) gets
/// its final status at once, marked `Connection: close`, and the client never sends the body.
public final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// The outbound event a reader of the request body triggers before its first read.
    struct SendContinue {}

    private var awaitingContinue = false

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data) {
            awaitingContinue = request.headerFields[.expect]?.lowercased() == "100-continue"
        } else {
            awaitingContinue = false  // the body is arriving anyway
        }
        context.fireChannelRead(data)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is SendContinue else { return context.triggerUserOutboundEvent(event, promise: promise) }
        if awaitingContinue {
            awaitingContinue = false
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        promise?.succeed()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard awaitingContinue, case .head(var response) = unwrapOutboundIn(data),
            response.status.kind != .informational
        else { return context.write(data, promise: promise) }
        // A final answer before the body was asked for: the client will not send it, so the connection ends here.
        awaitingContinue = false
        response.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(response)), promise: promise)
    }
}

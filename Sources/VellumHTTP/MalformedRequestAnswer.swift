import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Gives the 400 that Hummingbird sends for bytes that are not an HTTP/1.1 request (a bad request line, a malformed
/// or oversized header, a body length that cannot be read) the JSON body every other error has: it is the only
/// response written while no request head was decoded.
public final class MalformedRequestAnswer: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    static let body = ByteBuffer(string: #"{"status":400,"message":"The request is not valid HTTP/1.1."}"#)
    private var unanswered = 0
    private var rewriting = false

    public init() {}

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { unanswered += 1 }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where unanswered == 0 && response.status == .badRequest:
            rewriting = true
            response.headerFields[.contentType] = "application/json"
            response.headerFields[.contentLength] = String(Self.body.readableBytes)
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .end where rewriting:
            rewriting = false
            context.write(wrapOutboundOut(.body(Self.body)), promise: nil)
            context.write(data, promise: promise)
        case .end:
            unanswered = max(unanswered - 1, 0)
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}

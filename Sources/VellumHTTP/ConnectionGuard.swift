import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The daemon's connections: their time limits, and every open one, so that the drain deadline can close them.
public final class Connections: Sendable {
    public struct Limits: Sendable {
        /// A request head must be complete this long after its first byte (or after the connection opened).
        public var header: TimeAmount
        /// A kept-alive connection may wait this long for its next request.
        public var idle: TimeAmount
        /// A request body may stall this long while the server waits for it, and a response while the client does
        /// not read it.
        public var body: TimeAmount

        public init(header: TimeAmount, idle: TimeAmount, body: TimeAmount) {
            self.header = header
            self.idle = idle
            self.body = body
        }
    }

    public let limits: Limits
    /// Told why each connection that ran out of time was closed: `header`, `idle`, `body` or `response`.
    let timedOut: @Sendable (String) -> Void
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    public init(limits: Limits, timedOut: @escaping @Sendable (String) -> Void = { _ in }) {
        self.limits = limits
        self.timedOut = timedOut
    }

    /// The handler each new connection gets.
    public func handler() -> ConnectionGuard { ConnectionGuard(self) }

    /// Closes every open connection: the requests still in flight when the drain deadline passes fail.
    public func closeAll() {
        for channel in open.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }

    public var count: Int { open.withLock { $0.count } }

    func opened(_ channel: any Channel) { open.withLock { $0[ObjectIdentifier(channel)] = channel } }
    func closed(_ channel: any Channel) { _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) } }
}

/// What one connection may do, in the channel pipeline after the HTTP codec: the one mechanism that bounds how long
/// a client can hold a connection, that closes it when either side asked, and that answers bytes that are not HTTP.
/// - Waiting for a request: a new connection, or one with part of a head, has `header` to complete it (then 408 and
///   close); a kept-alive connection that has sent nothing since its last response has `idle` (then close).
/// - Reading a body: while the server waits for body bytes (a read is outstanding), `body` without one closes the
///   connection, and the upload fails as truncated; a body the server is not reading yet (its handler is busy)
///   does not count against the client.
/// - Answering: a response the client stops reading (the connection stays unwritable) for `body` is abandoned.
/// - A request or a response marked `Connection: close` closes the connection once that response is sent (the
///   client will not send the rest of a body it was told not to send, and Hummingbird would wait for it).
/// - Hummingbird answers bytes that are not an HTTP/1.1 request with an empty 400, the one response written while
///   no request head was decoded: it gets the JSON body every other error has.
/// A small handler at the front of the pipeline (`ArrivingBytes`) tells it when bytes arrive.
public final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    static let malformed = #"{"status":400,"message":"The request is not valid HTTP/1.1."}"#
    static let tooSlow = #"{"status":408,"message":"The request head was not received in time."}"#

    private let connections: Connections
    private var heads = 0, ends = 0, responses = 0
    /// When the connection started waiting for a head, and when part of one arrived (nil: nothing yet).
    private var waitingSince = NIODeadline.now()
    private var headStarted: NIODeadline?
    /// Whether the head that began (decoded or not) is a HEAD request's: its answer has no body.
    private var headIsHEAD = false
    /// When the outstanding read was asked for (nil: no read outstanding).
    private var readingSince: NIODeadline?
    private var unwritableSince: NIODeadline?
    /// The number of responses after which the connection closes.
    private var closeAfter: Int?
    private var answeringMalformed = false
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(_ connections: Connections) {
        self.connections = connections
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(ArrivingBytes(self), position: .first)
        connections.opened(context.channel)
        waitingSince = .now()
        arm(context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        connections.closed(context.channel)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        connections.closed(context.channel)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            heads += 1
            headStarted = nil
            if request.headerFields[.connection]?.lowercased() == "close" { close(after: heads) }
        case .body: break
        case .end: ends += 1
        }
        arm(context)
        context.fireChannelRead(data)
    }

    public func read(context: ChannelHandlerContext) {
        if readingSince == nil {
            readingSince = .now()
            arm(context)
        }
        context.read()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : .now()
        arm(context)
        context.fireChannelWritabilityChanged()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where response.status == .badRequest && heads == responses:
            answeringMalformed = true
            close(after: responses + 1)
            response.headerFields[.contentType] = "application/json"
            response.headerFields[.contentLength] = String(Self.malformed.utf8.count)
            response.headerFields[.server] = "vellum"
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .head(let response) where response.status.kind != .informational:
            if response.headerFields[.connection]?.lowercased() == "close" { close(after: responses + 1) }
            context.write(data, promise: promise)
        case .end:
            if answeringMalformed {
                answeringMalformed = false
                if !headIsHEAD { context.write(wrapOutboundOut(.body(ByteBuffer(string: Self.malformed))), promise: nil) }
            }
            responses += 1
            waitingSince = .now()
            if let closeAfter, responses >= closeAfter {
                let written = context.writeAndFlush(data)
                written.whenComplete { _ in context.close(promise: nil) }
                if let promise { written.cascade(to: promise) }
                return
            }
            context.write(data, promise: promise)
            arm(context)
        default:
            context.write(data, promise: promise)
        }
    }

    private func close(after response: Int) {
        closeAfter = min(closeAfter ?? response, response)
    }

    /// Bytes arrived (told by `ArrivingBytes`, before they are decoded): between requests, a head has begun.
    fileprivate func bytesArrived(_ bytes: ByteBuffer) {
        guard ends == heads, responses == heads, headStarted == nil else { return }
        headStarted = .now()
        headIsHEAD = bytes.readableBytesView.starts(with: "HEAD ".utf8)
    }

    /// Bytes were read: the outstanding read is over (the next one starts a new wait).
    fileprivate func readCompleted() { readingSince = nil }

    /// What the connection is waiting for, and until when.
    private var deadline: (reason: String, at: NIODeadline)? {
        let limits = connections.limits
        if ends < heads {
            return readingSince.map { ("body", $0 + limits.body) }
        }
        if responses < heads {
            return unwritableSince.map { ("response", $0 + limits.body) }
        }
        if let headStarted { return ("header", headStarted + limits.header) }
        return heads == 0 ? ("header", waitingSince + limits.header) : ("idle", waitingSince + limits.idle)
    }

    /// Makes sure a timer fires at the deadline or before; activity that only moves the deadline later leaves an
    /// earlier timer in place, which finds the new deadline and waits again.
    private func arm(_ context: ChannelHandlerContext) {
        guard let at = deadline?.at else { return }
        if let timerDeadline, timerDeadline <= at { return }
        timer?.cancel()
        timerDeadline = at
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: at) { [self] in
            timer = nil
            timerDeadline = nil
            guard let (reason, at) = deadline else { return }
            guard at <= .now() else { return arm(context) }
            expire(context, reason: reason)
        }
    }

    private func expire(_ context: ChannelHandlerContext, reason: String) {
        connections.timedOut(reason)
        // A new connection, or part of a head: the client is told, below the HTTP codec (no request is in progress
        // there). A kept-alive connection that sent nothing more is closed without a word: an answer could cross
        // the client's next request and be taken for its response.
        guard reason == "header", let front = try? context.pipeline.syncOperations.context(handlerType: ArrivingBytes.self)
        else { return context.close(promise: nil) }
        let response =
            "HTTP/1.1 408 Request Timeout\r\nServer: vellum\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(Self.tooSlow.utf8.count)\r\nConnection: close\r\n\r\n" + (headIsHEAD ? "" : Self.tooSlow)
        front.writeAndFlush(NIOAny(ByteBuffer(string: response))).whenComplete { _ in context.close(promise: nil) }
    }
}

/// First in the pipeline: tells `ConnectionGuard` when bytes arrive, and writes its 408.
final class ArrivingBytes: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let owner: ConnectionGuard

    init(_ owner: ConnectionGuard) {
        self.owner = owner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        owner.bytesArrived(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        owner.readCompleted()
        context.fireChannelReadComplete()
    }
}

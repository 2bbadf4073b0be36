import Hummingbird
import Logging
import NIOCore
import Prometheus
import VellumHTTPSupport

/// One structured log line and the request metrics for every request; counts body bytes in and out; lets the client
/// send a body it announced with `Expect: 100-continue` once a handler reads it.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = VellumRequestContext
    let metrics: VellumMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let bytesOut = metrics.bytesOut
        var request = request
        request.body = RequestBody(
            asyncSequence: ObservedBody(base: request.body, bytesIn: metrics.bytesIn, channel: context.channel))
        var response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = Self.routeLabel(context.endpointPath)
        let method = request.method.rawValue
        metrics.record(method: method, route: route, status: response.status.code, latency: elapsed)
        if request.method != .head {
            let body = response.body
            // Not `ResponseBody.map`, which drops the content length.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                try await body.write(
                    writer.map { buffer in
                        bytesOut.increment(by: Int64(buffer.readableBytes))
                        return buffer
                    })
            }
        }
        context.logger.info(
            "request",
            metadata: [
                "method": "\(method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ])
        return response
    }

    /// The route label: the route the router matched, as `docs/openapi.yaml` writes it (`/files/{bucket}/{key}`),
    /// or `other` for a request no route matched; bounded by the routes.
    static func routeLabel(_ endpoint: String?) -> String {
        guard let endpoint, endpoint.hasPrefix("/") else { return "other" }
        return endpoint.hasSuffix("/**") ? endpoint.dropLast(3) + "/{key}" : endpoint  // Foundation's replacing costs a PUT 1 %
    }
}

/// A request body that counts its bytes and, before its first read, asks `ContinueHandler` for `100 Continue`.
struct ObservedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let bytesIn: Counter
    let channel: any Channel

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let bytesIn: Counter
        var channel: (any Channel)?

        mutating func next() async throws -> ByteBuffer? {
            if let channel {
                channel.triggerUserOutboundEvent(ContinueHandler.SendContinue(), promise: nil)
                self.channel = nil
            }
            guard let buffer = try await base.next() else { return nil }
            bytesIn.increment(by: Int64(buffer.readableBytes))
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), bytesIn: bytesIn, channel: channel)
    }
}

import Hummingbird
import VellumCore
import VellumHTTPSupport

/// `/health` and `/metrics`, without authentication: probes must work whatever credentials a load balancer sends.
struct SystemController {
    let service: FilesServices
    let metrics: VellumMetrics

    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("/health") { _, _ in
            let ok = await service.administration.healthy()
            return JSONResponse.make(status: ok ? .ok : .serviceUnavailable) { json in
                json.object { json in
                    json.key("status")
                    json.string(ok ? "ok" : "unavailable")
                }
            }
        }
        routes.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        return routes
    }
}

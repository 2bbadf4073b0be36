import Hummingbird
import VellumCore

/// `/health` and `/metrics`.
struct SystemController {
    let service: FilesService
    let metrics: VellumMetrics

    static let routes: [(HTTPRequest.Method, String)] = [(.get, "/health"), (.get, "/metrics")]

    func register(on router: Router<VellumRequestContext>) {
        router.get("/health") { _, _ in
            let ok = await service.healthy()
            return JSONResponse.make(status: ok ? .ok : .serviceUnavailable) { json in
                json.object { json in
                    json.key("status")
                    json.string(ok ? "ok" : "unavailable")
                }
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }
}

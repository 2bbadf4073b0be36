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
            return JSONResponse.make(["status": ok ? "ok" : "unavailable"], status: ok ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }
}

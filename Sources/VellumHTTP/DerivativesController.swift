import Hummingbird
import VellumCore
import VellumHTTPSupport

/// `GET /derivatives/failures` (admin): derivatives (IIIF pyramids) that failed for good, or that wait to be tried
/// again after a failure that may pass.
struct DerivativesController {
    let service: FilesServices

    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("/derivatives/failures") { _, context in
            let failures = try await service.administration.failedDerivatives(by: context.principal)
            return JSONResponse.make(status: .ok) { json in
                json.object { json in
                    json.key("total")
                    json.int(failures.count)
                    json.key("failures")
                    json.array(failures) { json, failure in
                        json.object { json in
                            json.key("file_id")
                            json.string(failure.fileID.lowercased)
                            json.key("kind")
                            json.string(failure.kind.rawValue)
                            json.key("bucket")
                            json.string(failure.bucketID?.lowercased)
                            json.key("key")
                            json.string(failure.key)
                            json.key("error")
                            json.string(failure.error)
                            json.key("attempts")
                            json.int(failure.attempts)
                            json.key("retrying")
                            json.bool(failure.nextAttempt != nil)
                            json.key("next_attempt")
                            json.timestamp(failure.nextAttempt)
                        }
                    }
                }
            }
        }
        return routes
    }
}

import Hummingbird
import VellumHTTPSupport
import VellumRecords

/// Read-your-writes with a search index outside the database (OpenSearch): a request that changed records answers
/// once the index has the change (`refresh=wait_for`). The change itself is committed already: if the index cannot
/// take it now, the request still succeeds and the search worker sends it later.
struct SearchOutboxMiddleware: RouterMiddleware {
    let service: RecordsService

    func handle(_ request: Request, context: VellumRequestContext, next: (Request, VellumRequestContext) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        if service.searchIndex != nil, request.method != .get, request.method != .head, response.status.code < 400 {
            do {
                try await service.drainSearchOutbox(refresh: true)
            } catch {
                context.logger.warning("the search index did not take a change yet; the search worker will send it", metadata: ["error": "\(error)"])
            }
        }
        return response
    }
}

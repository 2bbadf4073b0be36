import Foundation
import Hummingbird
import JSONSchema
import VellumCore
import VellumHTTPSupport
import VellumRecords

/// The resolver (api.md §8): `/pid/recid/{id}`, `/pid/doi/{doi}` and `/doi/{doi}` lead to the record (302), a
/// redirected PID to its target (301); a removed record's PIDs answer 410 with its tombstone; anything else 404.
/// And `/pids` for admins: the DOIs DataCite has not taken (`?status=failed`, or `pending`).
public struct PIDController: Sendable {
    let service: RecordsService
    let publicURL: String

    public init(service: RecordsService, publicURL: String) {
        self.service = service
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// `/pid/{scheme}/{value}` (mounted at `/pid`).
    public func resolverRoutes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self).add(middleware: TombstoneMiddleware()).add(middleware: auth)
        routes.get(":scheme/**") { _, context in
            guard let scheme = context.parameters.get("scheme").flatMap(PID.Scheme.init(rawValue:)) else {
                throw RecordsError(.notFound, "No such PID.")
            }
            return try await resolve(PID.Reference(scheme, context.parameters.getCatchAll().joined(separator: "/")), context)
        }
        return routes
    }

    /// `/doi/{doi}` (mounted at `/doi`).
    public func doiRoutes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self).add(middleware: TombstoneMiddleware()).add(middleware: auth)
        routes.get("**") { _, context in
            try await resolve(PID.Reference(.doi, context.parameters.getCatchAll().joined(separator: "/")), context)
        }
        return routes
    }

    /// `GET /pids?status=failed|pending` (admins): the DOIs DataCite has not taken yet, with their last error.
    public func adminRoutes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self).add(middleware: auth)
        routes.get { request, context in
            let text = request.uri.queryParameters.get("status") ?? "failed"
            guard let state = DOITask.State(rawValue: text) else {
                throw RecordsError.invalid([("status", "is failed or pending")])
            }
            let tasks = try await service.doiTasks(state, by: context.principal)
            let hits = tasks.map { task in
                JSON.object([
                    "scheme": .string("doi"), "identifier": .string(task.doi), "status": .string(task.state.rawValue),
                    "attempts": .number(Double(task.attempts)), "last_error": task.lastError.map(JSON.string) ?? .null,
                    "next_attempt": task.state == .pending ? .string(Timestamp.string(task.due)) : .null,
                ])
            }
            return RecordsController.json(
                .object(["hits": .object(["total": .number(Double(hits.count)), "hits": .array(hits)])]), status: .ok, headers: [:])
        }
        return routes
    }

    func resolve(_ reference: PID.Reference, _ context: VellumRequestContext) async throws -> Response {
        // A value no PID can have is simply unknown: no lookup, no error of another kind.
        guard !reference.value.isEmpty, reference.value.utf8.count <= 1024 else { throw RecordsError(.notFound, "No such PID.") }
        switch try await service.resolve(reference, by: context.principal) {
        case .record(let id):
            return Response(status: .found, headers: [.location: "\(publicURL)/records/\(id)"])
        case .pid(let target):
            return Response(
                status: .movedPermanently, headers: [.location: "\(publicURL)/pid/\(target.scheme.rawValue)/\(ObjectKeyPath.encode(target.value))"])
        }
    }
}

/// Renders a removed record's 410 with its tombstone: `{"status": 410, "message", "tombstone": {"removed_at",
/// "reason", "citation"}}` (api.md §8).
public struct TombstoneMiddleware: RouterMiddleware {
    public typealias Context = VellumRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as RecordsError where error.reason == .gone && error.tombstone != nil {
            let body = JSON.object(["status": .number(410), "message": .string(error.message), "tombstone": error.tombstone ?? .null])
            return RecordsController.json(body, status: .gone, headers: [:])
        }
    }
}

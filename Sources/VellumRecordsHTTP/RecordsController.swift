import Foundation
import Hummingbird
import JSONSchema
import NIOCore
import VellumCore
import VellumHTTPSupport
import VellumRecords

/// `/records` (api.md §7): drafts, reading, replacing and patching a record, and its revisions. Every record
/// response carries `ETag: "<revision_id>"`, and every change takes `If-Match` with it (412 otherwise): one rule
/// for every verb.
public struct RecordsController: Sendable {
    let service: RecordsService
    /// The API's public URL, for links.
    let publicURL: String

    public init(service: RecordsService, publicURL: String) {
        self.service = service
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    public func routes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self).add(middleware: auth)
        routes.post { request, context in
            let record = try await service.createDraft(try await Self.body(request), by: context.principal)
            var response = respond(record, status: .created)
            response.headers[.location] = link(record)
            return response
        }
        routes.get(":id") { _, context in respond(try await service.record(try Self.id(context), by: context.principal)) }
        routes.put(":id") { request, context in
            let record = try await service.replace(
                try Self.id(context), with: try await Self.body(request), ifMatch: try Self.ifMatch(request), by: context.principal)
            return respond(record)
        }
        routes.patch(":id") { request, context in
            let kind: RecordsService.PatchKind
            switch request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "application/json-patch+json": kind = .jsonPatch
            case "application/merge-patch+json": kind = .mergePatch
            default:
                throw APIError(.unsupportedMediaType, "PATCH takes application/json-patch+json or application/merge-patch+json.")
            }
            let record = try await service.patch(
                try Self.id(context), try await Self.body(request), kind: kind, ifMatch: try Self.ifMatch(request),
                by: context.principal)
            return respond(record)
        }
        routes.get(":id/revisions") { _, context in
            let revisions = try await service.revisions(try Self.id(context), by: context.principal)
            let list = JSON.array(
                revisions.map { revision in
                    .object([
                        "revision_id": .number(Double(revision.revision)), "created": .string(Self.timestamp(revision.created)),
                        "actor": revision.actor.map(JSON.string) ?? .null, "hash": .string(revision.hash),
                    ])
                })
            return Self.json(list, status: .ok, headers: [:])
        }
        routes.get(":id/revisions/:n") { _, context in
            let id = try Self.id(context)
            let revisions = try await service.revisions(id, by: context.principal)
            guard let n = context.parameters.get("n").flatMap({ Int($0) }), let revision = revisions.first(where: { $0.revision == n }) else {
                throw RecordsError(.notFound, "No such revision.")
            }
            var record = try await service.record(id, by: context.principal)
            (record.document, record.revision, record.updated) = (revision.document, revision.revision, revision.created)
            return respond(record)
        }
        return routes
    }

    /// `/schemas` (public): the built-in record schema, so far (`GET /schemas/record-v1.0.0.json`).
    public func schemaRoutes() -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        for method in [HTTPRequest.Method.get, .head] {
            routes.on(":name", method: method) { request, context in
                guard context.parameters.get("name") == RecordSchemaV1.name else { throw RecordsError(.notFound, "No such schema.") }
                let body = ByteBuffer(string: RecordSchemaV1.text)
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/schema+json", .cacheControl: "public, max-age=86400",
                        .contentLength: String(body.readableBytes),
                    ], body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: body))
            }
        }
        return routes
    }

    func link(_ record: Record) -> String { "\(publicURL)/records/\(record.id)" }

    /// The record's JSON (api.md §7) with its `ETag`.
    func respond(_ record: Record, status: HTTPResponse.Status = .ok) -> Response {
        let document = record.document
        var files = document["files"]?.objectValue ?? [:]
        files["bucket"] = .string(record.bucketID.lowercased)
        var json = JSON.object([
            "id": .string(String(record.id)), "status": .string(record.status.rawValue),
            "revision_id": .number(Double(record.revision)), "created": .string(Self.timestamp(record.created)),
            "updated": .string(Self.timestamp(record.updated)), "metadata": document["metadata"] ?? .object([:]),
            "$schema": document["$schema"] ?? .null, "access": document["access"] ?? .null, "files": .object(files),
            "versions": .object(["parent_id": .string(String(record.conceptID))]),
            "links": .object([
                "self": .string(link(record)), "files": .string("\(publicURL)/files/\(record.bucketID.lowercased)"),
                "revisions": .string(link(record) + "/revisions"),
            ]),
        ])
        // A draft lists what keeps it from being published.
        if record.status == .draft, let errors = try? service.errors(document), !errors.isEmpty, case .object(var members) = json {
            members["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
            json = .object(members)
        }
        return Self.json(json, status: status, headers: [.eTag: "\"\(record.revision)\""])
    }

    /// JSON with its keys sorted, so that responses read the same every time.
    static func json(_ value: JSON, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.serialized(sortedKeys: true))))
    }

    static func timestamp(_ date: Date) -> String {
        var buffer = ByteBuffer()
        Timestamp.write(date, to: &buffer)
        return String(buffer: buffer)
    }

    /// The record id of the path: a decimal number, else no such record.
    static func id(_ context: VellumRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0, String(id) == text else {
            throw RecordsError(.notFound, "No such record.")
        }
        return id
    }

    /// `If-Match: "<revision_id>"` (a weak tag or a bare number is read the same); absent or `*`: nil (any).
    static func ifMatch(_ request: Request) throws -> Int? {
        guard var value = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value != "*" else {
            return nil
        }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        guard let revision = Int(value) else {
            throw RecordsError(.revisionMismatch, "If-Match must name a revision, as the ETag gives it.")
        }
        return revision
    }

    /// The request's JSON (at most 1 MiB).
    static func body(_ request: Request) async throws -> JSON {
        let buffer = try await request.smallBody(limit: 1 << 20)
        do {
            return try JSON(parsing: Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "The body is not JSON: \(error).")
        }
    }
}

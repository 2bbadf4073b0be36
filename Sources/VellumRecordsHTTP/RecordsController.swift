import Foundation
import Hummingbird
import IIIFGrammar
import JSONSchema
import NIOCore
import RecordExports
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
    /// The IIIF canvases of a bucket's images as the caller may see them (`IIIFImages.canvases`: bucket, base URL,
    /// principal), for records' manifests; none without IIIF.
    let canvases: (@Sendable (UUID, String, Principal) async throws -> [PresentationManifest.Image])?

    public init(
        service: RecordsService, publicURL: String,
        canvases: (@Sendable (UUID, String, Principal) async throws -> [PresentationManifest.Image])? = nil
    ) {
        self.service = service
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.canvases = canvases
    }

    public func routes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self).add(middleware: TombstoneMiddleware()).add(middleware: auth)
            .add(middleware: SearchOutboxMiddleware(service: service))
        routes.post { request, context in
            let record = try await service.createDraft(try await Self.body(request), by: context.principal)
            return try await respond(record, to: context, status: .created, location: true)
        }
        routes.get { request, context in try await search(request, context) }
        routes.get("_suggest") { request, context in
            let text = try Self.formParameters(request.uri.query).last { $0.0 == "q" }?.1 ?? ""
            let records = try await service.suggest(text, by: context.principal)
            let hits = JSON.array(
                records.map { .object(["id": .string(String($0.id)), "title": $0.document["metadata"]?["title"] ?? .string("")]) })
            return Self.json(hits, status: .ok, headers: [:])
        }
        routes.get(":id") { request, context in
            let record = try await service.record(try Self.id(context), by: context.principal)
            var response: Response
            if let format = try Self.exportFormat(request) {
                let bucket = record.bucketID.lowercased
                let export = try await service.exportRecord(record) { [publicURL] in "\(publicURL)/files/\(bucket)/\(ObjectKeyPath.encode($0.key))" }
                let body = ByteBuffer(string: format.render(export))
                response = Response(
                    status: .ok, headers: [.contentType: format.mediaType + "; charset=utf-8", .eTag: "\"\(record.revision)\""],
                    body: .init(byteBuffer: body))
            } else {
                response = try await respond(record, to: context)
            }
            response.headers[.vary] = "Accept"
            if let signposts = try await signposts(record) { response.headers[.link] = signposts.header }
            return response
        }
        routes.get(":id/linkset") { _, context in
            let record = try await service.record(try Self.id(context), by: context.principal)
            guard let signposts = try await signposts(record) else {
                throw RecordsError(.notFound, "Only a published record that anyone may see has a linkset.")
            }
            var response = Self.json(signposts.linkset, status: .ok, headers: [:])
            response.headers[.contentType] = "application/linkset+json"
            return response
        }
        routes.put(":id") { request, context in
            let record = try await service.replace(
                try Self.id(context), with: try await Self.body(request), ifMatch: try Self.ifMatch(request), by: context.principal)
            return try await respond(record, to: context)
        }
        routes.delete(":id") { request, context in
            // A published record's removal says why: `{"reason"}`; a draft's needs no body.
            let buffer = try await request.smallBody(limit: 64 << 10)
            let body = buffer.readableBytes == 0 ? JSON.object([:]) : try Self.json(buffer)
            if let reason = body["reason"], reason.stringValue == nil { throw RecordsError.invalid([("/reason", "must be a string")]) }
            try await service.delete(
                try Self.id(context), reason: body["reason"]?.stringValue, ifMatch: try Self.ifMatch(request), by: context.principal)
            return Response(status: .noContent)
        }
        routes.post(":id/publish") { request, context in
            let record = try await service.publish(try Self.id(context), ifMatch: try Self.ifMatch(request), by: context.principal)
            return try await respond(record, to: context)
        }
        routes.post(":id/versions") { _, context in
            let (record, created) = try await service.newVersion(of: try Self.id(context), by: context.principal)
            return try await respond(record, to: context, status: created ? .created : .ok, location: true)
        }
        routes.get(":id/versions") { _, context in
            let id = try Self.id(context)
            let versions = try await service.versions(of: id, by: context.principal)
            let result = JSON.object([
                "hits": .object(["total": .number(Double(versions.count)), "hits": .array(versions.map { json($0, files: nil) })]),
                "aggregations": .object([:]), "sortBy": .string("version"),
                "links": .object(["self": .string("\(publicURL)/records/\(id)/versions")]),
            ])
            return Self.json(result, status: .ok, headers: [:])
        }
        routes.get(":id/versions/latest") { _, context in
            guard let latest = try await service.versions(of: try Self.id(context), by: context.principal).first else {
                throw RecordsError(.notFound, "The record has no published version you may see.")
            }
            return Response(status: .found, headers: [.location: link(latest)])
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
            return try await respond(record, to: context)
        }
        routes.get(":id/revisions") { _, context in
            let revisions = try await service.revisions(try Self.id(context), by: context.principal)
            let list = JSON.array(
                revisions.map { revision in
                    .object([
                        "revision_id": .number(Double(revision.revision)), "created": .string(Timestamp.string(revision.created)),
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
            return try await respond(record, to: context)
        }
        // A record's IIIF manifest, readable from any web page (as IIIF images are).
        let manifest = routes.group(":id/manifest").add(middleware: AnyOriginCORS()).add(middleware: ErrorMiddleware())
        for method in [HTTPRequest.Method.get, .head] {
            manifest.on("", method: method) { request, context in try await self.manifest(request, context) }
        }
        manifest.on("", method: .options) { _, _ in Response(status: .noContent) }
        return routes
    }

    /// `/schemas`: the built-in record schema and the registered ones, read by anyone (`GET /schemas/{name}`), and
    /// registered by admins (`PUT /schemas/{name}`, immutable). Names may hold `/`.
    public func schemaRoutes(auth: AuthMiddleware) -> RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        for method in [HTTPRequest.Method.get, .head] {
            routes.on("**", method: method) { request, context in
                guard let text = try await service.schemas.text(context.parameters.getCatchAll().joined(separator: "/")) else {
                    throw RecordsError(.notFound, "No such schema.")
                }
                let body = ByteBuffer(string: text)
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/schema+json", .cacheControl: "public, max-age=86400",
                        .contentLength: String(body.readableBytes),
                    ], body: request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: body))
            }
        }
        routes.add(middleware: auth).put("**") { request, context in
            let name = context.parameters.getCatchAll().joined(separator: "/")
            let text = String(buffer: try await request.smallBody(limit: 1 << 20))
            let created = try await service.schemas.register(name, text: text, by: context.principal)
            return Response(status: created ? .created : .ok, headers: [.location: "\(publicURL)/schemas/\(name)"])
        }
        return routes
    }

    func link(_ record: Record) -> String { "\(publicURL)/records/\(record.id)" }

    /// The export a request asks for (api.md §8): `?format=` (`json` for the record's own JSON), else its `Accept`
    /// header; nil for the record's JSON. An unknown format is 400, an `Accept` that names nothing served 406.
    static func exportFormat(_ request: Request) throws -> ExportFormat? {
        if let name = request.uri.queryParameters.get("format") {
            if name == "json" { return nil }
            guard let format = ExportFormat(rawValue: name) else {
                throw RecordsError.invalid([("format", "is one of json, \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            return format
        }
        switch ExportFormat.choose(accept: request.headers[.accept]) {
        case .native: return nil
        case .format(let format): return format
        case .unacceptable:
            throw APIError(
                .notAcceptable,
                "A record is served as application/json, \(ExportFormat.allCases.map(\.mediaType).joined(separator: ", ")).")
        }
    }

    /// A published record's signposts (api.md §8), nil for others.
    func signposts(_ record: Record) async throws -> Signposts? {
        guard let (citeAs, files) = try await service.signpostSources(of: record, publicURL: publicURL) else { return nil }
        let bucket = record.bucketID.lowercased
        return Signposts(
            anchor: link(record), citeAs: citeAs,
            describedBy: [Signposts.Target(link(record), type: "application/json")]
                + ExportFormat.allCases.map { Signposts.Target("\(link(record))?format=\($0.rawValue)", type: $0.mediaType) },
            files: files.map { Signposts.Target("\(publicURL)/files/\(bucket)/\(ObjectKeyPath.encode($0.key))", type: $0.mimetype) },
            metadata: record.document["metadata"],
            schemaOrgType: "https://schema.org/" + Exports.schemaOrgType(record.document["metadata"]?["resource_type"]?.stringValue))
    }

    /// The record's JSON (api.md §7) with its `ETag`: its files as the caller may see them, and, for a draft, what
    /// keeps it from being published.
    func respond(
        _ record: Record, to context: VellumRequestContext, status: HTTPResponse.Status = .ok, location: Bool = false
    ) async throws -> Response {
        var json = json(record, files: try await service.files(of: record, by: context.principal), pids: try await service.pidsJSON(of: record))
        if record.status == .draft, let errors = try? await service.errors(record.document), !errors.isEmpty, case .object(var members) = json {
            members["errors"] = .array(errors.map { .object(["field": .string($0.field), "message": .string($0.message)]) })
            json = .object(members)
        }
        var headers: HTTPFields = [.eTag: "\"\(record.revision)\""]
        if location { headers[.location] = link(record) }
        return Self.json(json, status: status, headers: headers)
    }

    /// The record's JSON; `files` adds its files' count, bytes and first entries, `pids` its DOIs.
    func json(_ record: Record, files: RecordFiles?, pids: JSON = .object([:])) -> JSON {
        let document = record.document
        let bucket = record.bucketID.lowercased
        var filesJSON = document["files"]?.objectValue ?? [:]
        filesJSON["bucket"] = .string(bucket)
        if let files {
            filesJSON["count"] = .number(Double(files.count))
            filesJSON["total_bytes"] = .number(Double(files.bytes))
            filesJSON["entries"] = .array(
                files.entries.map { version in
                    .object([
                        "key": .string(version.key), "size": .number(Double(version.size)),
                        "mimetype": version.mimetype.map(JSON.string) ?? .null,
                        "checksums": version.file.map { .object(["md5": .string($0.checksums.md5), "sha256": .string($0.checksums.sha256)]) }
                            ?? .null,
                        "links": .object(["self": .string("\(publicURL)/files/\(bucket)/\(ObjectKeyPath.encode(version.key))")]),
                    ])
                })
        }
        var links: [String: JSON] = [
            "self": .string(link(record)), "files": .string("\(publicURL)/files/\(bucket)"),
            "revisions": .string(link(record) + "/revisions"), "versions": .string(link(record) + "/versions"),
            "latest": .string(link(record) + "/versions/latest"),
        ]
        if record.status == .draft { links["publish"] = .string(link(record) + "/publish") }
        return .object([
            "id": .string(String(record.id)), "status": .string(record.status.rawValue),
            "revision_id": .number(Double(record.revision)), "created": .string(Timestamp.string(record.created)),
            "updated": .string(Timestamp.string(record.updated)), "metadata": document["metadata"] ?? .object([:]),
            "$schema": document["$schema"] ?? .null, "access": document["access"] ?? .null, "files": .object(filesJSON),
            "pids": pids,
            "versions": .object([
                "parent_id": .string(String(record.conceptID)), "index": .number(Double(record.versionIndex)),
                "is_latest": .bool(record.isLatest),
            ]),
            "links": .object(links),
        ])
    }

    /// JSON with its keys sorted, so that responses read the same every time.
    static func json(_ value: JSON, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.serialized(sortedKeys: true))))
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
        try json(try await request.smallBody(limit: 1 << 20))
    }

    static func json(_ buffer: ByteBuffer) throws -> JSON {
        do {
            return try JSON(parsing: Array(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, "The body is not JSON: \(error).")
        }
    }
}

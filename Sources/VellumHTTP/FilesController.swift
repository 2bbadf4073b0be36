import Foundation
import Hummingbird
import VellumCore
import VellumHTTPSupport

/// The Invenio-compatible files REST API (`/files...`). Parses, calls `FilesService`, encodes; nothing more.
struct FilesController {
    let service: FilesServices
    let links: LinkPolicy
    let metrics: VellumMetrics

    /// The routes (`docs/openapi.yaml` lists each).
    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.post("/files") { request, context in try await createBucket(request, context) }
        routes.get("/files") { _, _ -> Response in
            throw APIError(.methodNotAllowed, "The method is not allowed for the requested URL.")
        }
        routes.get("/files/:bucket") { request, context in try await getBucket(request, context) }
        routes.head("/files/:bucket") { request, context in try await getBucket(request, context) }
        routes.patch("/files/:bucket") { request, context in try await patchBucket(request, context) }
        routes.delete("/files/:bucket") { _, context in
            try await service.buckets.deleteBucket(try Self.bucketID(context), by: context.principal)
            return Response(status: .noContent)
        }
        routes.put("/files/:bucket/**") { request, context in try await putObject(request, context) }
        routes.get("/files/:bucket/**") { request, context in try await getObject(request, context) }
        routes.head("/files/:bucket/**") { request, context in try await getObject(request, context) }
        routes.delete("/files/:bucket/**") { request, context in try await deleteObject(request, context) }
        routes.post("/files/:bucket/**") { request, context in try await postObject(request, context) }
        return routes
    }

    // MARK: buckets

    func createBucket(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        guard context.principal.isAuthenticated else { throw FilesError.unauthenticated }
        let body = try await request.smallBody()
        var options = BucketOptions()
        if body.readableBytes > 0 {
            do {
                options = try JSONDecoder().decode(BucketOptions.self, from: Data(buffer: body))
            } catch {
                throw APIError(.badRequest, "The request body must be a JSON object with quota_size, max_file_size, location or public.")
            }
        }
        let bucket = try await service.buckets.createBucket(options, by: context.principal)
        return JSONResponse.make(BucketJSON(bucket: bucket, links: links.links(for: request)))
    }

    func getBucket(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let id = try Self.bucketID(context)
        let query = request.uri.queryParameters
        if request.method == .head {
            _ = try await service.buckets.readableBucket(id, by: context.principal)
            return Response(status: .ok)
        }
        if query["uploads"] != nil {
            let uploads = try await service.multipart.multipartUploads(bucketID: id, by: context.principal)
            let urls = links.links(for: request)
            return JSONResponse.make { $0.array(uploads) { json, upload in MultipartJSON(upload: upload, links: urls).write(to: &json) } }
        }
        let size: Int
        if let raw = query["size"] {
            guard let value = Int(raw) else { throw FilesError.badParameter("size", "size must be an integer.") }
            size = value
        } else {
            size = BucketService.maxPageSize
        }
        let afterVersion = try query["after_version"].map { try Self.uuid(String($0), field: "after_version") }
        let listQuery = ListQuery(
            bucketID: id, prefix: query["prefix"].map(String.init), afterKey: query["after"].map(String.init),
            afterVersion: afterVersion, limit: size, allVersions: query["versions"] != nil)
        let page = try await service.buckets.list(listQuery, by: context.principal)
        let urls = links.links(for: request)
        var json = BucketJSON(
            bucket: page.bucket, links: urls, contents: page.contents.map { ObjectVersionJSON(version: $0, links: urls) })
        if page.hasMore, let last = page.contents.last {
            var next = urls.bucket(id) + "?size=\(size)&after=\(Links.encodeQuery(last.key))"
            if let prefix = listQuery.prefix { next += "&prefix=\(Links.encodeQuery(prefix))" }
            if listQuery.allVersions { next += "&versions&after_version=\(last.versionID.lowercased)" }
            json.next = next
        }
        return JSONResponse.make(json)
    }

    /// `PATCH /files/{bucket}` with a JSON object of `quota_size`, `max_file_size` (integers or null), `locked`,
    /// `public` (booleans).
    func patchBucket(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let id = try Self.bucketID(context)
        let body = try await request.smallBody()
        let changes: BucketChanges
        do {
            changes = try JSONDecoder().decode(BucketPatch.self, from: Data(buffer: body)).changes
        } catch let error as any DomainError {
            throw error
        } catch {
            throw APIError(.badRequest, "The request body must be a JSON object.")
        }
        let bucket = try await service.buckets.updateBucket(id, changes, by: context.principal)
        return JSONResponse.make(BucketJSON(bucket: bucket, links: links.links(for: request)))
    }

    /// The body of a bucket PATCH; an unknown field or a wrong type is a 400 naming the field.
    struct BucketPatch: Decodable {
        var changes = BucketChanges()

        struct Field: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Field.self)
            for field in container.allKeys {
                let name = field.stringValue
                switch name {
                case "quota_size", "max_file_size":
                    let value: Int64?
                    do {
                        value = try container.decodeNil(forKey: field) ? nil : try container.decode(Int64.self, forKey: field)
                    } catch {
                        throw FilesError.badParameter(name, "\(name) must be a non-negative integer or null.")
                    }
                    if name == "quota_size" { changes.quotaSize = .some(value) } else { changes.maxFileSize = .some(value) }
                case "locked", "public":
                    guard let flag = try? container.decode(Bool.self, forKey: field) else {
                        throw FilesError.badParameter(name, "\(name) must be true or false.")
                    }
                    if name == "locked" { changes.locked = flag } else { changes.isPublic = flag }
                default:
                    throw FilesError.badParameter(
                        name, "Unknown field '\(name)': quota_size, max_file_size, locked and public can be changed.")
                }
            }
        }
    }

    // MARK: helpers

    static func bucketID(_ context: VellumRequestContext) throws -> UUID {
        guard let raw = context.parameters.get("bucket"), let id = UUID(uuidString: raw) else {
            throw FilesError.bucketNotFound
        }
        return id
    }

    /// The object key: the raw path after `/files/{bucket}/`, percent-decoded.
    static func key(_ request: Request) throws -> String {
        let path = request.uri.path
        let parts = path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let key = PercentDecoding.decode(parts[3]) else { throw FilesError.invalidKey }
        return key
    }

    static func uuid(_ raw: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: raw) else { throw FilesError.validation(field: field, "Not a valid UUID.") }
        return id
    }
}

import Foundation
import Hummingbird
import VellumCore
import VellumHTTPSupport

/// The Invenio-compatible multipart routes: `?uploads` starts, `?uploadId` with `partNumber` sends a part,
/// `?uploadId` alone lists (GET), completes (POST) or aborts (DELETE).
extension FilesController {
    func startUpload(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let body = try await request.smallBody()
        let json = body.readableBytes > 0 ? try? JSONDecoder().decode(SizeBody.self, from: Data(buffer: body)) : nil
        func number(_ name: String, _ fromBody: Int64?) throws -> Int64 {
            if let raw = query[Substring(name)] {
                guard let value = Int64(raw) else { throw FilesError.badParameter(name, "\(name) must be an integer.") }
                return value
            }
            guard let fromBody else {
                throw FilesError.badParameter(name, "Missing required query argument '\(name)'")
            }
            return fromBody
        }
        let upload = try await service.multipart.startMultipart(
            MultipartRequest(
                bucketID: try Self.bucketID(context), key: try Self.key(request), size: try number("size", json?.size),
                partSize: try number("partSize", json?.partSize), contentType: request.headers[.contentType],
                tags: try Self.tags(request.headers)),
            by: context.principal)
        return JSONResponse.make(MultipartJSON(upload: upload, links: links.links(for: request)))
    }

    struct SizeBody: Decodable {
        var size: Int64?
        var partSize: Int64?
    }

    func putPart(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let raw = query["partNumber"], let number = Int(raw) else {
            throw APIError(.badRequest, "No upload part detected in request.")
        }
        metrics.uploadsInFlight.increment()
        defer { metrics.uploadsInFlight.decrement() }
        let upload = try Self.uploadRequest(request, context)
        let (status, part) = try await service.multipart.uploadPart(
            uploadID: try Self.uploadID(query), bucketID: upload.bucketID, key: upload.key, number: number,
            request: upload, body: RequestBodyErrors(base: request.body), by: context.principal)
        return JSONResponse.make(PartJSON(part: part, upload: status), headers: [.eTag: part.checksums.etag])
    }

    func getUpload(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let status = try await service.multipart.multipartStatus(
            uploadID: try Self.uploadID(request.uri.queryParameters), bucketID: try Self.bucketID(context),
            key: try Self.key(request), by: context.principal)
        return JSONResponse.make(MultipartJSON(upload: status.upload, links: links.links(for: request), parts: status.parts))
    }

    func completeUpload(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let (upload, version) = try await service.multipart.completeMultipart(
            uploadID: try Self.uploadID(request.uri.queryParameters), bucketID: try Self.bucketID(context),
            key: try Self.key(request), by: context.principal)
        var headers = HTTPFields()
        if let file = version.file { headers[.eTag] = file.checksums.etag }
        return JSONResponse.make(MultipartJSON(upload: upload, links: links.links(for: request)), headers: headers)
    }

    func abortUpload(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        try await service.multipart.abortMultipart(
            uploadID: try Self.uploadID(request.uri.queryParameters), bucketID: try Self.bucketID(context),
            key: try Self.key(request), by: context.principal)
        return Response(status: .noContent)
    }

    static func uploadID(_ query: Parameters) throws -> UUID {
        try uuid(String(query["uploadId"] ?? ""), field: "uploadId")
    }
}

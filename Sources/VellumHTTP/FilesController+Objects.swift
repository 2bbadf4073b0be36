import Foundation
import HTTPTypes
import Hummingbird
import VellumCore
import VellumHTTPSupport

extension FilesController {
    func putObject(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if query["uploadId"] != nil { return try await putPart(request, context) }
        if query["uploads"] != nil || query["partNumber"] != nil {
            throw APIError(.methodNotAllowed, "Start a multipart upload with POST ?uploads; send parts with ?uploadId and partNumber.")
        }
        let upload = try Self.uploadRequest(request, context)
        if let source = request.headers[.copySource] { return try await copyObject(source, upload, request, context) }
        metrics.uploadsInFlight.increment()
        defer { metrics.uploadsInFlight.decrement() }
        let version = try await service.objects.upload(upload, body: RequestBodyErrors(base: request.body), by: context.principal)
        return try created(version, request)
    }

    /// The answer to a write: the new version, with its ETag.
    func created(_ version: ObjectVersion, _ request: Request) throws -> Response {
        guard let file = version.file else { throw APIError(.internalServerError, "The write produced no file.") }
        return JSONResponse.make(
            ObjectVersionJSON(version: version, links: links.links(for: request)), headers: [.eTag: file.checksums.etag])
    }

    /// A PUT with `X-Vellum-Copy-Source: <bucket>/<key>[?versionId=V]` and no body: a new version that shares the
    /// source version's bytes.
    func copyObject(_ source: String, _ upload: UploadRequest, _ request: Request, _ context: VellumRequestContext)
        async throws -> Response
    {
        guard (upload.contentLength ?? 0) == 0 else { throw APIError(.badRequest, "A copy takes no request body.") }
        var text = source.hasPrefix("/files/") ? String(source.dropFirst(7)) : source.hasPrefix("/") ? String(source.dropFirst()) : source
        var versionID: UUID?
        if let question = text.firstIndex(of: "?") {
            let query = text[text.index(after: question)...]
            text = String(text[..<question])
            guard query.hasPrefix("versionId="), let id = UUID(uuidString: String(query.dropFirst(10))) else {
                throw FilesError.badParameter("X-Vellum-Copy-Source", "Malformed copy source version.")
            }
            versionID = id
        }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let bucket = UUID(uuidString: String(parts[0])),
            let key = PercentDecoding.decode(parts[1])
        else { throw FilesError.badParameter("X-Vellum-Copy-Source", "The copy source must be <bucket>/<key>.") }
        return try created(
            try await service.objects.copy(bucketID: bucket, key: key, versionID: versionID, to: upload, by: context.principal),
            request)
    }

    /// The upload parameters every PUT carries in its headers.
    static func uploadRequest(_ request: Request, _ context: VellumRequestContext) throws -> UploadRequest {
        UploadRequest(
            bucketID: try Self.bucketID(context), key: try Self.key(request),
            contentLength: try request.headers[.contentLength].map {
                guard let n = Int64($0), n >= 0 else { throw APIError(.badRequest, "Invalid Content-Length.") }
                return n
            },
            contentType: request.headers[.contentType], expectedMD5: try Self.contentMD5(request.headers),
            expectedSHA256: try Self.sha256Digest(request.headers), tags: try Self.tags(request.headers),
            condition: WriteCondition(ifMatch: request.headers[.ifMatch], ifNoneMatch: request.headers[.ifNoneMatch]))
    }

    func getObject(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if query["uploadId"] != nil { return try await getUpload(request, context) }
        if query["uploads"] != nil { throw APIError(.methodNotAllowed, "The method is not allowed for the requested URL.") }
        let versionID = try query["versionId"].map { try Self.uuid(String($0), field: "versionId") }
        let version = try await service.objects.object(
            bucketID: try Self.bucketID(context), key: try Self.key(request), versionID: versionID, by: context.principal)
        guard let file = version.file else { throw FilesError.objectNotFound }
        var response = try await DownloadResponse(
            service: service, version: version, file: file, request: request, forceDownload: query["download"] != nil
        ).make()
        for link in links.downloadLinks {
            if let value = try await link(version.bucketID) { response.headers.append(HTTPField(name: .link, value: value)) }
        }
        return response
    }

    func deleteObject(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if query["uploadId"] != nil { return try await abortUpload(request, context) }
        if query["uploads"] != nil { throw APIError(.methodNotAllowed, "The method is not allowed for the requested URL.") }
        let bucketID = try Self.bucketID(context)
        let key = try Self.key(request)
        if let raw = query["versionId"] {
            let versionID = try Self.uuid(String(raw), field: "versionId")
            try await service.objects.deleteVersion(bucketID: bucketID, key: key, versionID: versionID, by: context.principal)
        } else {
            try await service.objects.deleteObject(bucketID: bucketID, key: key, by: context.principal)
        }
        return Response(status: .noContent)
    }

    func postObject(_ request: Request, _ context: VellumRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if query["uploadId"] != nil { return try await completeUpload(request, context) }
        if query["uploads"] != nil { return try await startUpload(request, context) }
        throw APIError(.methodNotAllowed, "POST on an object needs ?uploads or ?uploadId.")
    }

    /// `Content-MD5` (RFC 1864, base64) as hex.
    static func contentMD5(_ headers: HTTPFields) throws -> String? {
        guard let value = headers[.contentMD5] else { return nil }
        guard let hex = Checksums.hex(fromBase64: value.trimmingCharacters(in: .whitespaces)), hex.count == 32 else {
            throw APIError(.badRequest, "Content-MD5 must be the base64 MD5 digest of the body.")
        }
        return hex
    }

    /// The SHA-256 from `Repr-Digest: sha-256=:<b64>:` (RFC 9530) or legacy `Digest: SHA-256=<b64>`, as hex.
    static func sha256Digest(_ headers: HTTPFields) throws -> String? {
        let candidates: [(HTTPField.Name, Bool)] = [(.reprDigest, true), (.digest, false)]
        for (name, structured) in candidates {
            guard let value = headers[name] else { continue }
            for member in value.split(separator: ",") {
                let pair = member.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "sha-256" else {
                    continue
                }
                var encoded = pair[1].trimmingCharacters(in: .whitespaces)
                if structured {
                    guard encoded.count >= 2, encoded.hasPrefix(":"), encoded.hasSuffix(":") else {
                        throw APIError(.badRequest, "Malformed sha-256 digest in \(name).")
                    }
                    encoded = String(encoded.dropFirst().dropLast())
                }
                guard let hex = Checksums.hex(fromBase64: encoded), hex.count == 64 else {
                    throw APIError(.badRequest, "Malformed sha-256 digest in \(name).")
                }
                return hex
            }
        }
        return nil
    }

    /// `X-Invenio-File-Tags: k1=v1&k2=v2`.
    static func tags(_ headers: HTTPFields) throws -> [String: String] {
        guard let value = headers[.fileTags] else { return [:] }
        var tags: [String: String] = [:]
        for pair in value.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = PercentDecoding.decode(parts[0]) ?? ""
            let tagValue = parts.count > 1 ? (PercentDecoding.decode(parts[1]) ?? "") : ""
            guard (1...255).contains(key.count), (1...255).contains(tagValue.count) else {
                throw APIError(.badRequest, "Too long/short tag key or tag value.")
            }
            guard tags[key] == nil else { throw APIError(.badRequest, "Duplicate tag key") }
            tags[key] = tagValue
        }
        return tags
    }
}

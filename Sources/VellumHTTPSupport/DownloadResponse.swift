import Foundation
import Hummingbird
import NIOCore
import VellumCore

/// Builds the response to GET or HEAD of a stored version: conditionals, ranges, safe headers, streamed body.
public struct DownloadResponse {
    let service: FilesServices
    let version: ObjectVersion
    let file: FileInstance
    let request: Request
    let forceDownload: Bool
    /// Whether a store that serves its bytes itself (S3) may be redirected to; a preview page, which loads nothing
    /// from other hosts, is always served the bytes.
    let mayRedirect: Bool

    public init(
        service: FilesServices, version: ObjectVersion, file: FileInstance, request: Request, forceDownload: Bool,
        mayRedirect: Bool = true
    ) {
        self.service = service
        self.version = version
        self.file = file
        self.request = request
        self.forceDownload = forceDownload
        self.mayRedirect = mayRedirect
    }

    public func make() async throws -> Response {
        var headers = DownloadHeaders.common(version, file: file, forceDownload: forceDownload)
        let etag = file.checksums.etag
        switch Preconditions.evaluate(request.headers, etag: etag, lastModified: version.created, isGetOrHead: true) {
        case .failed: throw FilesError.preconditionFailed
        case .notModified:
            headers[.contentType] = nil
            headers[.contentDisposition] = nil
            return Response(status: .notModified, headers: headers)
        case .proceed: break
        }
        if mayRedirect, request.method == .get, let type = headers[.contentType], let disposition = headers[.contentDisposition],
            let url = try await service.objects.downloadURL(file, contentType: type, disposition: disposition)
        {
            // The store serves the bytes (and any Range) itself, with the same sanitised type and disposition.
            headers[.contentType] = nil
            headers[.contentDisposition] = nil
            headers[.acceptRanges] = nil
            headers[.location] = url
            headers[.cacheControl] = "no-store"  // the URL expires; a cache must not replay it
            headers[.contentLength] = "0"
            return Response(status: .found, headers: headers)
        }
        let size = file.size
        var ranges = ByteRanges.ignore
        if Preconditions.ifRangeAllows(request.headers, etag: etag, lastModified: version.created) {
            ranges = ByteRanges(header: request.headers[.range], size: size)
        }
        switch ranges {
        case .ignore:
            return try await body(status: .ok, headers: headers, parts: [(nil, 0..<size)], length: size)
        case .unsatisfiable:
            var response = ErrorMiddleware<VellumRequestContext>.response(.rangeNotSatisfiable, "Requested range not satisfiable.")
            response.headers[.contentRange] = "bytes */\(size)"
            return response
        case .ranges(let list) where list.count == 1:
            let range = list[0]
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
            return try await body(status: .partialContent, headers: headers, parts: [(nil, range)], length: range.upperBound - range.lowerBound)
        case .ranges(let list):
            let boundary = "vellum-" + UUID().lowercased
            let type = headers[.contentType] ?? "application/octet-stream"
            var parts: [(ByteBuffer?, Range<Int64>)] = []
            var length: Int64 = 0
            for (index, range) in list.enumerated() {
                let head = ByteBuffer(
                    string: (index == 0 ? "" : "\r\n") + "--\(boundary)\r\nContent-Type: \(type)\r\n"
                        + "Content-Range: bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)\r\n\r\n")
                parts.append((head, range))
                length += Int64(head.readableBytes) + range.upperBound - range.lowerBound
            }
            let tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
            parts.append((tail, 0..<0))
            length += Int64(tail.readableBytes)
            headers[.contentType] = "multipart/byteranges; boundary=\(boundary)"
            return try await body(status: .partialContent, headers: headers, parts: parts, length: length)
        }
    }

    /// A response whose body is a sequence of (optional literal prefix, file range) parts. The first range is
    /// opened before the status line is sent, so a missing or unreadable file is an error response, not a
    /// truncated 200.
    private func body(status: HTTPResponse.Status, headers: HTTPFields, parts: [(ByteBuffer?, Range<Int64>)], length: Int64)
        async throws -> Response
    {
        var headers = headers
        headers[.contentLength] = String(length)
        if request.method == .head { return Response(status: status, headers: headers) }
        let service = self.service
        let file = self.file
        var first: (any BlobReader)?
        if let range = parts.first(where: { !$0.1.isEmpty })?.1 { first = try await service.objects.open(file, range: range) }
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: Int(length)) { [first] writer in
                var opened = first
                for (prefix, range) in parts {
                    if let prefix { try await writer.write(prefix) }
                    guard !range.isEmpty else { continue }
                    let reader: any BlobReader
                    if let first = opened {
                        reader = first
                        opened = nil
                    } else {
                        reader = try await service.objects.open(file, range: range)
                    }
                    do {
                        while let chunk = try await reader.next() { try await writer.write(chunk) }
                    } catch {
                        await reader.close()
                        throw error
                    }
                    await reader.close()
                }
                try await writer.finish(nil)
            })
    }
}

import Hummingbird
import IIIFGrammar
import VellumCore

extension PresentationManifest {
    /// The manifest as an answer: its entity tag (304 when `If-None-Match` names it), kept for a minute, by shared
    /// caches only when anyone may read it (`anonymous`).
    public func response(to request: Request, anonymous: Bool) -> Response {
        let body = json
        let etag = "\"m-\(fnv1aHex(body))\""
        var headers: HTTPFields = [.eTag: etag, .cacheControl: (anonymous ? "public" : "private") + ", max-age=60"]
        if WriteCondition.matches(request.headers[.ifNoneMatch] ?? "", etag: etag, weak: true) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = Self.mediaType
        headers[.contentLength] = String(body.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

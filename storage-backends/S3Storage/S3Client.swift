import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Signed requests to one S3 location over async-http-client. Bodies here are in memory (objects stream through
/// the storage backend's writers and readers, built on `execute`).
public struct S3Client: Sendable {
    public let location: S3Location
    /// The Vellum location's name, for errors (the bucket's name when nil).
    public let name: String?
    let signer: S3Signer
    let http: HTTPClient

    public init(location: S3Location, credentials: S3Signer.Credentials, http: HTTPClient, name: String? = nil) {
        self.location = location
        self.name = name
        self.signer = S3Signer(credentials: credentials, region: location.region)
        self.http = http
    }

    /// An HTTP client for S3 locations: connections refused or not made within 2 s fail at once (the retries are
    /// `sendRetrying`'s), 30 s without a byte read or written fails a request, no redirects (a wrong region is an
    /// error), up to 64 connections per host.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2), read: .seconds(30), write: .seconds(30)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: ByteBuffer
    }

    /// Sends one request with `body` (signed as `UNSIGNED-PAYLOAD`) and collects the response, at most `limit`
    /// bytes of it. `key` "" addresses the bucket.
    public func send(
        _ method: HTTPMethod, key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: ByteBuffer? = nil, limit: Int = 16 << 20, timeout: TimeAmount? = nil
    ) async throws -> Response {
        // A deadline for the whole request: 30 s, plus a second per MiB of body (at least 1 MiB/s on the way up).
        let timeout = timeout ?? .seconds(30 + Int64((body?.readableBytes ?? 0) >> 20))
        var request = signedRequest(method, key: key, query: query, headers: headers)
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, timeout: timeout)
        return Response(
            status: Int(response.status.code), headers: response.headers, body: try await response.body.collect(upTo: limit))
    }

    /// A request for `key` with its signature headers (the caller adds the body).
    public func signedRequest(
        _ method: HTTPMethod, key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        date: Date = Date()
    ) -> HTTPClientRequest {
        let address = location.address(key: key)
        let signed = [("host", address.host)] + headers
        var request = HTTPClientRequest(url: address.url + (query.isEmpty ? "" : "?" + S3Signer.canonicalQuery(query)))
        request.method = method
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        for (name, value) in signer.sign(
            method: method.rawValue, path: address.path, query: query, headers: signed,
            payloadHash: S3Signer.unsignedPayload, date: date)
        {
            request.headers.add(name: name, value: value)
        }
        return request
    }
}

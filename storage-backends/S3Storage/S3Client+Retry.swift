import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VellumCore

extension S3Client {
    /// How often a request with a replayable body is tried: no answer (refused, reset, timed out) or 429/500/502/
    /// 503/504 are tried again after a random pause of up to 100 ms, 200 ms, 400 ms; then the store counts as
    /// unreachable: 503 to Vellum's client, who may retry later.
    static let attempts = 4
    static let retriedStatuses: Set<UInt> = [429, 500, 502, 503, 504]

    /// `send`, tried again as above. Answers other than those (4xx included) are returned as they are.
    public func sendRetrying(
        _ method: HTTPMethod, key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: ByteBuffer? = nil, timeout: TimeAmount? = nil
    ) async throws -> Response {
        try await retrying(method, key) {
            let response = try await send(method, key: key, query: query, headers: headers, body: body, timeout: timeout)
            return (response, UInt(response.status))
        }
    }

    /// A bodiless request (a GET) whose answer streams: tried again as above until S3 answers with its headers;
    /// from then on the body is the caller's to read (or drop, which ends the request).
    public func streamRetrying(_ method: HTTPMethod, key: String, headers: [(String, String)] = []) async throws
        -> HTTPClientResponse
    {
        try await retrying(method, key) {
            let response = try await http.execute(signedRequest(method, key: key, headers: headers), timeout: .hours(24))
            return (response, response.status.code)
        }
    }

    private func retrying<T>(_ method: HTTPMethod, _ key: String, _ attempt: () async throws -> (T, UInt)) async throws -> T {
        var failure = ""
        for number in 0..<Self.attempts {
            if number > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...(100 << (number - 1))))) }
            do {
                let (response, status) = try await attempt()
                guard Self.retriedStatuses.contains(status) else { return response }
                failure = "HTTP \(status)"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = String(describing: error)
            }
        }
        throw unavailable("\(method.rawValue) \(key): \(failure)")
    }

    /// The error Vellum's clients get when the store does not answer.
    public func unavailable(_ detail: String) -> StorageError {
        StorageError(.unavailable, "The storage location '\(name ?? location.bucket)' is unavailable; retry later.", detail: detail)
    }
}

extension S3Client.Response {
    /// S3's error code (`NoSuchKey`, `SlowDown`, …) from an XML error body, if there is one.
    public var errorCode: String? { body.readableBytes == 0 ? nil : (try? S3XML(body))?.fields["Code"] }
}

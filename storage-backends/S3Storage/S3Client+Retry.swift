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

    /// `send`, tried again as above. Answers other than those (4xx included) are returned as they are.
    public func sendRetrying(
        _ method: HTTPMethod, key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws -> Response {
        var failure = ""
        for attempt in 0..<Self.attempts {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(Int.random(in: 0...(100 << (attempt - 1))))) }
            do {
                let response = try await send(method, key: key, query: query, headers: headers, body: body)
                guard [429, 500, 502, 503, 504].contains(response.status) else { return response }
                failure = "HTTP \(response.status) \(response.errorCode ?? "")"
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failure = String(describing: error)
            }
        }
        throw VellumError(
            503, "The storage location '\(location.bucket)' is unavailable; retry later.",
            detail: "\(method.rawValue) \(key): \(failure)")
    }
}

extension S3Client.Response {
    /// S3's error code (`NoSuchKey`, `SlowDown`, …) from an XML error body, if there is one.
    public var errorCode: String? {
        let text = String(buffer: body)
        guard let start = text.range(of: "<Code>"), let end = text.range(of: "</Code>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing

/// Slow: a 1 GiB round trip. Enabled with VELLUM_SLOW_TESTS=1 (the benchmarks measure the same path in release).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VELLUM_SLOW_TESTS"] == "1"))
struct LargeFileTests {
    @Test func oneGiBRoundTripInBoundedMemory() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let chunk = ByteBuffer(bytes: Fixtures.bytes(1 << 20))
        let count = 1024
        var expected = Insecure.MD5()
        chunk.withUnsafeReadableBytes { pointer in
            for _ in 0..<count { expected.update(bufferPointer: pointer) }
        }
        let stream = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<count { continuation.yield(chunk) }
            continuation.finish()
        }
        var put = HTTPClientRequest(url: "\(server.baseURL)/files/\(bucket)/big")
        put.method = .PUT
        put.headers.add(name: "Authorization", value: "Bearer \(TestServer.adminToken)")
        put.body = .stream(stream, length: .known(Int64(count) << 20))
        let uploaded = try await server.send(put)
        #expect(uploaded.status == 200)
        let md5 = expected.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(try uploaded.json()["checksum"] as? String == "md5:\(md5)")

        var get = HTTPClientRequest(url: "\(server.baseURL)/files/\(bucket)/big")
        get.headers.add(name: "Authorization", value: "Bearer \(TestServer.adminToken)")
        let response = try await HTTPClient.shared.execute(get, timeout: .seconds(600))
        var actual = Insecure.MD5()
        var size = 0
        for try await buffer in response.body {
            size += buffer.readableBytes
            buffer.withUnsafeReadableBytes { actual.update(bufferPointer: $0) }
        }
        #expect(size == count << 20)
        #expect(actual.finalize().map { String(format: "%02x", $0) }.joined() == md5)

        let pid = try #require(server.pid)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        let kib = hwm.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? Int.max
        #expect(kib < 100 * 1024, "server peak RSS \(kib) KiB")
    }
}

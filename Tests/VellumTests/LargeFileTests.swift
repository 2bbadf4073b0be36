import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing

/// Slow: a 1 GiB round trip. Enabled with VELLUM_SLOW_TESTS=1 (the benchmarks measure the same path in release),
/// and in the suite's S3 pass, where the bytes go to and come from S3 through parts and buffers of Vellum's own.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VELLUM_SLOW_TESTS"] == "1" || TestServer.onS3))
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
        let pid = try #require(server.pid)
        let sampler = Task { () -> Int in  // the peak of the daemon's private memory, every 20 ms
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, TestServer.procStatus(pid, "RssAnon:") ?? 0)
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
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

        sampler.cancel()
        let peak = await sampler.value
        // Private memory, not VmHWM: the daemon's resident code and libraries (libvips and what it loads, ICU, a
        // debug build's own 20 mib of code) are 60-70 mib of file-backed pages before a byte is sent.
        #expect(peak > 0 && peak < 100 * 1024, "peak RssAnon \(peak) KiB, VmHWM \(TestServer.procStatus(pid, "VmHWM:") ?? 0) KiB")
    }

}

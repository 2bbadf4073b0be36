import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LifecycleTests {
    @Test func killDuringUploadLeavesAConsistentStore() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("kept".utf8)).status == 200)
        let connection = try RawConnection(port: server.port)
        try connection.startUpload(path: "/files/\(bucket)/doc", length: 8_000_000)
        try connection.send(Fixtures.bytes(3_000_000))
        try await server.waitForUploadsInFlight()
        #expect(try await eventually { try await server.pendingBlobs().count == 1 })
        #expect(try await server.stop(signal: SIGKILL) == SIGKILL)
        try await server.start()
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().count == 1)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "kept")
        let listing = try await server.request(.GET, "/files/\(bucket)?versions").json()
        #expect((listing["contents"] as? [Any])?.count == 1)
        #expect(listing["size"] as? Int == 4)
    }

    @Test func sigtermDrainsInFlightUploads() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let connection = try RawConnection(port: server.port)
        let body = Fixtures.bytes(2_000_000)
        try connection.startUpload(path: "/files/\(bucket)/late", length: body.count)
        try connection.send(Array(body[..<1_000_000]))
        // Only a request whose head the daemon has read is in flight; a connection it has not read yet is closed.
        try await server.waitForUploadsInFlight()
        let pid = try #require(server.pid)
        kill(pid, SIGTERM)
        try await Task.sleep(for: .milliseconds(300))
        try connection.send(Array(body[1_000_000...]))
        let response = await connection.receiveAll()
        #expect(response.hasPrefix("HTTP/1.1 200"))
        #expect(response.contains(Fixtures.md5(body)))
        #expect(try await server.stop(signal: SIGTERM) == 0)
        try await server.start()
        #expect(try await server.request(.GET, "/files/\(bucket)/late").bytes == body)
    }

    @Test func healthAndMetrics() async throws {
        let server = try await TestServer()
        let health = try await server.request(.GET, "/health", token: "whatever-a-prober-sends")
        #expect(health.status == 200)
        #expect(try health.json()["status"] as? String == "ok")
        let bucket = try await server.createBucket()
        _ = try await server.request(.PUT, "/files/\(bucket)/m", body: Fixtures.bytes(1234))
        _ = try await server.request(.GET, "/files/\(bucket)/m")
        let metrics = try await server.request(.GET, "/metrics", token: nil).text
        #expect(metrics.contains("vellum_http_requests_total{method=\"PUT\",route=\"/files/{bucket}/{key}\",status=\"200\"} 1"))
        #expect(metrics.contains("vellum_http_request_duration_seconds_bucket"))
        #expect(metrics.contains("vellum_uploads_in_flight 0"))
        let bytesIn = metrics.split(separator: "\n").first { $0.hasPrefix("vellum_http_request_body_bytes_total ") }
        #expect(bytesIn.flatMap { Double($0.split(separator: " ")[1]) } ?? 0 >= 1234)
        let bytesOut = metrics.split(separator: "\n").first { $0.hasPrefix("vellum_http_response_body_bytes_total ") }
        #expect(bytesOut.flatMap { Double($0.split(separator: " ")[1]) } ?? 0 >= 1234)
    }

    @Test func healthFailsWhenStorageIsGone() async throws {
        let server = try await TestServer()
        if let s3 = server.s3 {
            #expect(try await s3.send(.DELETE, key: "").status == 204)
        } else {
            try FileManager.default.removeItem(atPath: server.dataDir + "/default")
        }
        try await Task.sleep(for: .milliseconds(1100))  // past a cached success
        let health = try await server.request(.GET, "/health", token: nil)
        #expect(health.status == 503)
        #expect(try health.json()["status"] as? String == "unavailable")
        // A vanished location (an unmounted disk, a deleted bucket) is reported, never silently recreated.
        if let s3 = server.s3 {
            #expect(try await s3.send(.HEAD, key: "").status == 404)
        } else {
            #expect(!FileManager.default.fileExists(atPath: server.dataDir + "/default"))
        }
    }
}

import Foundation
import Testing

@Suite struct UploadTests {
    @Test func uploadComputesBothChecksumsAndRoundTrips() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(3 * 1024 * 1024 + 17)
        let reply = try await server.request(.PUT, "/files/\(bucket)/data/file.bin", body: data)
        #expect(reply.status == 200)
        let json = try reply.json()
        #expect(json["checksum"] as? String == "md5:\(Fixtures.md5(data))")
        let checksums = try #require(json["checksums"] as? [String: String])
        #expect(checksums["md5"] == Fixtures.md5(data))
        #expect(checksums["sha256"] == Fixtures.sha256(data))
        #expect(json["size"] as? Int == data.count)
        #expect(json["is_head"] as? Bool == true)
        #expect(json["delete_marker"] as? Bool == false)
        #expect(json["key"] as? String == "data/file.bin")
        #expect(json.keys.contains("last_check_at") && json.keys.contains("last_check"))
        #expect(reply.header("ETag") == "\"md5:\(Fixtures.md5(data))\"")
        let download = try await server.request(.GET, "/files/\(bucket)/data/file.bin")
        #expect(download.status == 200)
        #expect(download.bytes == data)
        #expect(download.header("Content-Length") == String(data.count))
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().count == 1)
    }

    @Test func emptyAndChunkedBodiesAreValid() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let empty = try await server.request(.PUT, "/files/\(bucket)/empty", body: [])
        #expect(empty.status == 200)
        #expect(try empty.json()["size"] as? Int == 0)
        #expect(try await server.request(.GET, "/files/\(bucket)/empty").bytes == [])
        let chunks = [Fixtures.bytes(100_000, seed: 1), Fixtures.bytes(5, seed: 2), Fixtures.bytes(70_000, seed: 3)]
        let chunked = try await server.putChunked("/files/\(bucket)/chunked", chunks: chunks)
        #expect(chunked.status == 200)
        #expect(try chunked.json()["checksum"] as? String == "md5:\(Fixtures.md5(chunks.flatMap { $0 }))")
        #expect(try await server.request(.GET, "/files/\(bucket)/chunked").bytes == chunks.flatMap { $0 })
    }

    @Test func verifiesClientDigests() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(10_000)
        let good = try await server.request(
            .PUT, "/files/\(bucket)/ok",
            headers: [
                ("Content-MD5", Fixtures.md5Base64(data)), ("Repr-Digest", "sha-256=:\(Fixtures.sha256Base64(data)):"),
            ], body: data)
        #expect(good.status == 200)
        let legacy = try await server.request(
            .PUT, "/files/\(bucket)/legacy", headers: [("Digest", "SHA-256=\(Fixtures.sha256Base64(data))")], body: data)
        #expect(legacy.status == 200)

        let badMD5 = try await server.request(
            .PUT, "/files/\(bucket)/bad", headers: [("Content-MD5", Fixtures.md5Base64([1, 2, 3]))], body: data)
        #expect(badMD5.status == 400)
        #expect(try badMD5.json()["message"] as? String == "Content-MD5 does not match the uploaded data.")
        let badSHA = try await server.request(
            .PUT, "/files/\(bucket)/bad", headers: [("Repr-Digest", "sha-256=:\(Fixtures.sha256Base64([1])):")], body: data)
        #expect(badSHA.status == 400)
        let malformed = try await server.request(.PUT, "/files/\(bucket)/bad", headers: [("Content-MD5", "zz")], body: data)
        #expect(malformed.status == 400)
        // Nothing of the failed uploads is visible, stored or counted.
        #expect(try await server.request(.GET, "/files/\(bucket)/bad").status == 404)
        let listing = try await server.request(.GET, "/files/\(bucket)").json()
        #expect(listing["size"] as? Int == 2 * data.count)
        #expect(try await server.storedBlobs().count == 2)
        #expect(try await server.pendingBlobs().isEmpty)
    }

    @Test func quotaAndMaxFileSizeWithKnownLength() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket(["quota_size": 100, "max_file_size": 60])
        let tooBig = try await server.request(.PUT, "/files/\(bucket)/b", body: Fixtures.bytes(61))
        #expect(tooBig.status == 400)
        #expect(try tooBig.json()["message"] as? String == "Maximum file size exceeded.")
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", body: Fixtures.bytes(50)).status == 200)
        let overQuota = try await server.request(.PUT, "/files/\(bucket)/b", body: Fixtures.bytes(51))
        #expect(overQuota.status == 400)
        #expect(try overQuota.json()["message"] as? String == "Bucket quota exceeded.")
        // Old versions count: a second version of 'a' still fits, a third does not.
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", body: Fixtures.bytes(50)).status == 200)
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", body: Fixtures.bytes(1)).status == 400)
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == 100)
    }

    @Test func quotaIsEnforcedWhileStreamingChunkedBodies() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket(["quota_size": 1_000_000])
        let chunks = (0..<20).map { Fixtures.bytes(100_000, seed: UInt8($0)) }
        let reply = try await server.putChunked("/files/\(bucket)/big", chunks: chunks)
        #expect(reply.status == 400)
        #expect(try reply.json()["message"] as? String == "Bucket quota exceeded.")
        #expect(try await server.request(.GET, "/files/\(bucket)/big").status == 404)
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == 0)
        #expect(try await server.storedBlobs().isEmpty)
        #expect(try await server.pendingBlobs().isEmpty)
        // The quota is not used up by the failure.
        #expect(try await server.putChunked("/files/\(bucket)/fits", chunks: Array(chunks.prefix(10))).status == 200)
    }

    @Test func truncatedUploadsLeaveNothingBehind() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("version one".utf8)).status == 200)
        let connection = try RawConnection(port: server.port)
        try connection.startUpload(path: "/files/\(bucket)/doc", length: 2_000_000)
        try connection.send(Fixtures.bytes(1_500_000))
        // Wait until the server has started the upload, then hang up mid-body.
        try await server.waitForUploadsInFlight()
        #expect(try await eventually { try await server.pendingBlobs().count == 1 })
        shutdown(connection.fd, Int32(SHUT_RDWR))
        for _ in 0..<200 {
            guard try await !server.pendingBlobs().isEmpty else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().count == 1)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "version one")
        let listing = try await server.request(.GET, "/files/\(bucket)?versions").json()
        #expect((listing["contents"] as? [Any])?.count == 1)
        #expect(listing["size"] as? Int == 11)
    }

    @Test func expectContinueIsAnsweredWhenTheBodyIsWanted() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let body = Fixtures.bytes(100_000)
        func head(_ path: String) -> String {
            "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(TestServer.adminToken)\r\n"
                + "Content-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n"
        }
        // The interim answer comes before the client sends anything more; then the upload completes.
        let accepted = try RawConnection(port: server.port)
        try accepted.send(head("/files/\(bucket)/doc"))
        #expect(await accepted.receive(until: "\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n")
        try accepted.send(body)
        #expect(await accepted.receive(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").bytes == body)
        // A request refused before its body is read gets its final answer at once, and the connection ends.
        let refused = try RawConnection(port: server.port)
        try refused.send(head("/files/\(UUID())/doc"))
        let answer = await refused.receive(until: "\r\n\r\n").lowercased()
        #expect(answer.hasPrefix("http/1.1 404 not found\r\n"))
        #expect(answer.contains("\r\nconnection: close\r\n"))
    }

    @Test func mimeTypesFromClientContentAndName() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        func type(_ key: String, _ body: [UInt8], _ contentType: String?) async throws -> String? {
            let headers = contentType.map { [("Content-Type", $0)] } ?? []
            let reply = try await server.request(.PUT, "/files/\(bucket)/\(key)", headers: headers, body: body)
            return try reply.json()["mimetype"] as? String
        }
        #expect(try await type("x.dat", [1, 2], "application/x-custom") == "application/x-custom")
        #expect(try await type("pixel", Fixtures.png, "application/octet-stream") == "image/png")
        #expect(try await type("table.csv", Array("a,b\n1,2\n".utf8), "application/octet-stream") == "text/csv")
        #expect(try await type("notes", Array("just words\n".utf8), nil) == "text/plain")
        // Sniffed with Vellum's own database, compiled into the data directory at start-up.
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.dataDir).contains { $0.hasSuffix(".mgc") })
        let pdf = Array("%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".utf8)
        #expect(try await type("paper", pdf, nil) == "application/pdf")
        #expect(try await type("archive", [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03] + Fixtures.bytes(64), nil) == "application/gzip")
        let html = Array("<!DOCTYPE html>\n<html><head><title>t</title></head><body>hi</body></html>\n".utf8)
        #expect(try await type("page", html, nil) == "text/html")
        #expect(try await type("data", Array("{\"a\": [1, 2, 3]}\n".utf8), nil) == "application/json")
    }

    @Test func tagsFromTheInvenioHeader() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let reply = try await server.request(
            .PUT, "/files/\(bucket)/t", headers: [("X-Invenio-File-Tags", "kind=raw&owner=lab%201")], body: [1])
        #expect(try reply.json()["tags"] as? [String: String] == ["kind": "raw", "owner": "lab 1"])
        let duplicate = try await server.request(
            .PUT, "/files/\(bucket)/t", headers: [("X-Invenio-File-Tags", "a=1&a=2")], body: [1])
        #expect(duplicate.status == 400)
        #expect(try duplicate.json()["message"] as? String == "Duplicate tag key")
        let empty = try await server.request(.PUT, "/files/\(bucket)/t", headers: [("X-Invenio-File-Tags", "a=")], body: [1])
        #expect(empty.status == 400)
    }
}

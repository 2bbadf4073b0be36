import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let mib = 1 << 20

extension TestServer {
    /// Starts a multipart upload and returns its JSON.
    func startUpload(_ bucket: String, _ key: String, size: Int, partSize: Int = 5 * mib) async throws -> [String: Any] {
        let reply = try await request(.POST, "/files/\(bucket)/\(key)?uploads&size=\(size)&partSize=\(partSize)")
        guard reply.status == 200 else { throw TestError("init failed: \(reply.status) \(reply.text)") }
        return try reply.json()
    }

    func putPart(_ bucket: String, _ key: String, _ upload: String, _ number: Int, _ bytes: [UInt8]) async throws -> Reply {
        try await request(.PUT, "/files/\(bucket)/\(key)?uploadId=\(upload)&partNumber=\(number)", body: bytes)
    }

    func bucketSize(_ bucket: String) async throws -> Int {
        try #require(try await request(.GET, "/files/\(bucket)?size=1").json()["size"] as? Int)
    }
}

/// Splits `data` into parts of `partSize`.
func parts(_ data: [UInt8], _ partSize: Int) -> [[UInt8]] {
    stride(from: 0, to: data.count, by: partSize).map { Array(data[$0..<min($0 + partSize, data.count)]) }
}

@Suite struct MultipartTests {
    @Test func unevenTotalWithPartsOutOfOrderAndResent() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(12 * mib + 5)
        let upload = try await server.startUpload(bucket, "big.bin", size: data.count)
        #expect(upload["last_part_number"] as? Int == 2)
        #expect(upload["last_part_size"] as? Int == 2 * mib + 5)
        #expect(upload["completed"] as? Bool == false)
        #expect(try await server.bucketSize(bucket) == data.count)  // reserved at init
        let id = try #require(upload["id"] as? String)
        let chunks = parts(data, 5 * mib)
        // Part 1 first with wrong bytes, then the others out of order, then part 1 again.
        #expect(try await server.putPart(bucket, "big.bin", id, 1, Fixtures.bytes(5 * mib, seed: 99)).status == 200)
        let last = try await server.putPart(bucket, "big.bin", id, 2, chunks[2])
        #expect(last.status == 200)
        let partJSON = try last.json()
        #expect(partJSON["start_byte"] as? Int == 10 * mib)
        #expect(partJSON["end_byte"] as? Int == data.count)
        #expect(partJSON["checksum"] as? String == "md5:\(Fixtures.md5(chunks[2]))")
        #expect(last.header("ETag") == "\"md5:\(Fixtures.md5(chunks[2]))\"")
        #expect(try await server.putPart(bucket, "big.bin", id, 0, chunks[0]).status == 200)
        #expect(try await server.putPart(bucket, "big.bin", id, 1, chunks[1]).status == 200)

        let listed = try await server.request(.GET, "/files/\(bucket)/big.bin?uploadId=\(id)").json()
        let listedParts = try #require(listed["parts"] as? [[String: Any]])
        #expect(listedParts.map { $0["part_number"] as? Int } == [0, 1, 2])
        #expect(listedParts[1]["checksum"] as? String == "md5:\(Fixtures.md5(chunks[1]))")

        let done = try await server.request(.POST, "/files/\(bucket)/big.bin?uploadId=\(id)")
        #expect(done.status == 200)
        let doneJSON = try done.json()
        #expect(doneJSON["completed"] as? Bool == true)
        let versionLink = try #require((doneJSON["links"] as? [String: String])?["object_version"])
        let object = try await server.request(.GET, "/files/\(bucket)/big.bin")
        #expect(object.bytes == data)
        #expect(object.header("ETag") == "\"md5:\(Fixtures.md5(data))\"")
        let listing = try await server.request(.GET, "/files/\(bucket)").json()
        let entry = try #require((listing["contents"] as? [[String: Any]])?.first)
        #expect((entry["checksums"] as? [String: String])?["sha256"] == Fixtures.sha256(data))
        #expect(versionLink.hasSuffix("?versionId=\(entry["version_id"] as? String ?? "-")"))
        #expect(listing["size"] as? Int == data.count)  // the reservation became the version
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().count == 1)

        // Completing again answers the same result; sending parts to a completed upload is refused.
        let again = try await server.request(.POST, "/files/\(bucket)/big.bin?uploadId=\(id)")
        #expect(again.status == 200)
        #expect((try again.json()["links"] as? [String: String])?["object_version"] == versionLink)
        let late = try await server.putPart(bucket, "big.bin", id, 0, chunks[0])
        #expect(late.status == 403)
        #expect(try late.json()["message"] as? String == "Multipart upload is already completed.")
        #expect(try await server.request(.DELETE, "/files/\(bucket)/big.bin?uploadId=\(id)").status == 403)
    }

    @Test func exactMultipleInParallelAndJSONBodyInit() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(15 * mib, seed: 3)
        let reply = try await server.request(
            .POST, "/files/\(bucket)/exact?uploads", body: Array("{\"size\": \(data.count), \"partSize\": \(5 * mib)}".utf8))
        #expect(reply.status == 200)
        let upload = try reply.json()
        #expect(upload["last_part_number"] as? Int == 2)
        #expect(upload["last_part_size"] as? Int == 5 * mib)
        let id = try #require(upload["id"] as? String)
        let chunks = parts(data, 5 * mib)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for (number, chunk) in chunks.enumerated() {
                group.addTask { try await server.putPart(bucket, "exact", id, number, chunk).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == [200, 200, 200])
        #expect(try await server.request(.POST, "/files/\(bucket)/exact?uploadId=\(id)").status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/exact").bytes == data)
        let uploads = try await server.request(.GET, "/files/\(bucket)?uploads")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(uploads.bytes)) as? [[String: Any]])
        #expect(list.count == 1 && list[0]["completed"] as? Bool == true)
    }

    @Test func everyMultipartError() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket(["quota_size": 30 * mib, "max_file_size": 20 * mib])
        func start(_ query: String) async throws -> (Int, String?) {
            let reply = try await server.request(.POST, "/files/\(bucket)/f?uploads\(query)")
            return (reply.status, try reply.json()["message"] as? String)
        }
        #expect(try await start("&partSize=\(5 * mib)") == (400, "Missing required query argument 'size'"))
        #expect(try await start("&size=\(6 * mib)") == (400, "Missing required query argument 'partSize'"))
        #expect(try await start("&size=x&partSize=\(5 * mib)").0 == 400)
        #expect(try await start("&size=\(6 * mib)&partSize=\(5 * mib - 1)") == (400, "Invalid part size."))
        #expect(try await start("&size=\(6 * mib)&partSize=\(5 * 1024 * mib + 1)") == (400, "Invalid part size."))
        #expect(try await start("&size=0&partSize=\(5 * mib)") == (400, "Invalid file size."))
        #expect(try await start("&size=\(50_000 * mib + 1)&partSize=\(5 * mib)") == (400, "Invalid file size."))
        #expect(try await start("&size=\(21 * mib)&partSize=\(5 * mib)") == (400, "Maximum file size exceeded."))
        #expect(
            try await server.request(.POST, "/files/\(bucket)/a/../b?uploads&size=\(6 * mib)&partSize=\(5 * mib)").status == 400)

        let upload = try await server.startUpload(bucket, "f", size: 11 * mib)
        let id = try #require(upload["id"] as? String)
        #expect(try await start("&size=\(20 * mib)&partSize=\(5 * mib)") == (400, "Bucket quota exceeded."))

        func part(_ query: String, _ body: [UInt8]) async throws -> (Int, String?) {
            let reply = try await server.request(.PUT, "/files/\(bucket)/f?uploadId=\(id)\(query)", body: body)
            return (reply.status, try reply.json()["message"] as? String)
        }
        #expect(try await part("", [1]) == (400, "No upload part detected in request."))
        #expect(try await part("&partNumber=x", [1]) == (400, "No upload part detected in request."))
        #expect(try await part("&partNumber=3", [1]) == (400, "Invalid part number."))
        #expect(try await part("&partNumber=-1", [1]) == (400, "Invalid part number."))
        #expect(try await part("&partNumber=0", Fixtures.bytes(mib)) == (400, "Invalid part size."))
        #expect(try await part("&partNumber=2", Fixtures.bytes(mib + 1)) == (400, "Invalid part size."))
        let chunkedShort = try await server.putChunked(
            "/files/\(bucket)/f?uploadId=\(id)&partNumber=2", chunks: [Fixtures.bytes(1000)])
        #expect(chunkedShort.status == 400)
        let chunkedLong = try await server.putChunked(
            "/files/\(bucket)/f?uploadId=\(id)&partNumber=2", chunks: [Fixtures.bytes(mib), Fixtures.bytes(1000)])
        #expect(chunkedLong.status == 400)
        let unknown = try await server.request(
            .PUT, "/files/\(bucket)/f?uploadId=\(UUID().uuidString)&partNumber=0", body: Fixtures.bytes(5 * mib))
        #expect(unknown.status == 404)
        #expect(try await server.request(.PUT, "/files/\(bucket)/f?uploadId=nope&partNumber=0", body: [1]).status == 422)
        let otherKey = try await server.request(.GET, "/files/\(bucket)/g?uploadId=\(id)")
        #expect(otherKey.status == 404)

        // Completing with a part missing is an error (not 200), and the upload stays completable.
        #expect(try await server.putPart(bucket, "f", id, 0, Fixtures.bytes(5 * mib)).status == 200)
        #expect(try await server.putPart(bucket, "f", id, 2, Fixtures.bytes(mib)).status == 200)
        let incomplete = try await server.request(.POST, "/files/\(bucket)/f?uploadId=\(id)")
        #expect(incomplete.status == 400)
        #expect(try incomplete.json()["message"] as? String == "Not all parts have been uploaded.")
        #expect(try await server.putPart(bucket, "f", id, 1, Fixtures.bytes(5 * mib)).status == 200)
        #expect(try await server.request(.POST, "/files/\(bucket)/f?uploadId=\(id)").status == 200)
        let expected = Fixtures.bytes(5 * mib) + Fixtures.bytes(5 * mib) + Fixtures.bytes(mib)
        #expect(try await server.request(.GET, "/files/\(bucket)/f").bytes == expected)

        // Wrong methods and other people.
        #expect(try await server.request(.PUT, "/files/\(bucket)/f?uploads", body: [1]).status == 405)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/f?uploadId=\(UUID().uuidString)").status == 404)
        #expect(
            try await server.request(.POST, "/files/\(bucket)/f?uploads&size=\(6 * mib)&partSize=\(5 * mib)", token: nil)
                .status == 404)
    }

    @Test func declaredSizesBeyondTheFileSystemAreRefusedCleanly() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        // 50 TB in 5 GiB parts is within the API's limits, but not a size ext4 can hold (16 TiB) even sparse.
        let reply = try await server.request(.POST, "/files/\(bucket)/huge?uploads&size=\(50_000_000_000_000)&partSize=\(5 * 1024 * mib)")
        #expect(reply.status == 413 || reply.status == 200, "\(reply.status) \(reply.text)")
        if reply.status == 413 {
            #expect(try reply.json()["message"] as? String == "The file is larger than this storage location can hold.")
            let uploads = try await server.request(.GET, "/files/\(bucket)?uploads")
            #expect((try JSONSerialization.jsonObject(with: Data(uploads.bytes)) as? [Any])?.isEmpty == true)
            #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == 0)
        }
    }

    @Test func abortReleasesQuotaAndBytes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket(["quota_size": 20 * mib])
        let upload = try await server.startUpload(bucket, "a", size: 15 * mib)
        let id = try #require(upload["id"] as? String)
        #expect(try await server.putPart(bucket, "a", id, 0, Fixtures.bytes(5 * mib)).status == 200)
        #expect(try await server.bucketSize(bucket) == 15 * mib)
        let second = try await server.request(.POST, "/files/\(bucket)/b?uploads&size=\(10 * mib)&partSize=\(5 * mib)")
        #expect(second.status == 400)
        #expect(try await server.pendingBlobs().count == 1)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/a?uploadId=\(id)").status == 204)
        #expect(try await server.bucketSize(bucket) == 0)
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().isEmpty)
        #expect(try await server.request(.GET, "/files/\(bucket)/a?uploadId=\(id)").status == 404)
        _ = try await server.startUpload(bucket, "b", size: 15 * mib)
    }

    @Test func aPartCutOffByAnAbortIsAnsweredNotFound() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let id = try #require(try await server.startUpload(bucket, "a", size: 6 * mib)["id"] as? String)
        let part = Fixtures.bytes(mib)
        let connection = try RawConnection(port: server.port)
        try connection.sendPut("/files/\(bucket)/a?uploadId=\(id)&partNumber=1", length: part.count)
        try connection.send(Array(part[..<(part.count / 2)]))
        try await Task.sleep(for: .milliseconds(300))  // most often the part is being stored when the abort comes
        #expect(try await server.request(.DELETE, "/files/\(bucket)/a?uploadId=\(id)").status == 204)
        try connection.send(Array(part[(part.count / 2)...]))
        let answer = await connection.receive(until: "\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 404"), "\(answer)")
        #expect(try await server.bucketSize(bucket) == 0)
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().isEmpty)
    }

    @Test func abandonedUploadsExpireAndReleaseEverything() async throws {
        let server = try await TestServer(environment: ["VELLUM_MULTIPART_EXPIRES": "4s"])
        let bucket = try await server.createBucket()
        let upload = try await server.startUpload(bucket, "old", size: 6 * mib)
        let id = try #require(upload["id"] as? String)
        // On a loaded machine the upload may already have expired; a part it got must be released with it.
        let part = try await server.putPart(bucket, "old", id, 1, Fixtures.bytes(mib)).status
        #expect(part == 200 || part == 404, "status \(part)")
        var gone = false
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(200))
            if try await server.request(.GET, "/files/\(bucket)/old?uploadId=\(id)").status == 404 {
                gone = true
                break
            }
        }
        #expect(gone)
        #expect(try await server.bucketSize(bucket) == 0)
        for _ in 0..<50 {  // the bytes go right after the metadata
            guard try await !server.pendingBlobs().isEmpty else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await server.pendingBlobs().isEmpty)

        // Expiry survives a restart: an upload left behind by a crash expires when the daemon comes back.
        let orphan = try #require(try await server.startUpload(bucket, "crash", size: 6 * mib)["id"] as? String)
        try await server.stop(signal: SIGKILL)
        try await Task.sleep(for: .milliseconds(4500))
        try await server.start()
        #expect(try await server.request(.GET, "/files/\(bucket)/crash?uploadId=\(orphan)").status == 404)
        #expect(try await server.bucketSize(bucket) == 0)
        #expect(try await server.pendingBlobs().isEmpty)
    }

    @Test func killDuringCompletionLeavesItCompleteOrCompletable() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(16 * mib, seed: 5)
        for delay in [0, 1, 3, 6, 10, 20, 40] {
            let key = "k\(delay)"
            let id = try #require(try await server.startUpload(bucket, key, size: data.count)["id"] as? String)
            for (number, chunk) in parts(data, 5 * mib).enumerated() {
                #expect(try await server.putPart(bucket, key, id, number, chunk).status == 200)
            }
            let connection = try RawConnection(port: server.port)
            try connection.send(
                Array(
                    "POST /files/\(bucket)/\(key)?uploadId=\(id) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.adminToken)\r\nContent-Length: 0\r\n\r\n"
                        .utf8))
            try await Task.sleep(for: .milliseconds(delay))
            try await server.stop(signal: SIGKILL)
            try await server.start()
            let status = try await server.request(.GET, "/files/\(bucket)/\(key)?uploadId=\(id)")
            let object = try await server.request(.GET, "/files/\(bucket)/\(key)")
            if status.status == 200, try status.json()["completed"] as? Bool == false {
                #expect(object.status == 404)  // never half-visible
                #expect(try await server.request(.POST, "/files/\(bucket)/\(key)?uploadId=\(id)").status == 200)
            }
            #expect(try await server.request(.GET, "/files/\(bucket)/\(key)").bytes == data)
        }
        #expect(try await server.bucketSize(bucket) == 7 * data.count)
        #expect(try await server.pendingBlobs().isEmpty)
        #expect(try await server.storedBlobs().count == 7)
    }
}

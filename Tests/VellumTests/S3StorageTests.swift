import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Testing

@testable import S3Storage

#if canImport(Glibc)
    import Glibc
#endif

/// What only an S3 location shows, in the suite's S3 pass (`VELLUM_TEST_STORAGE=s3`: every server's location
/// `default` is a bucket on the test S3 server). The rest of the suite runs unchanged against S3 in that pass.
@Suite(.enabled(if: TestServer.onS3)) struct S3StorageTests {
    /// The S3 object of a blob: its ETag (a multipart object's ends in `-<parts>`) and bytes.
    func object(_ server: TestServer, _ name: String) async throws -> (etag: String, bytes: [UInt8]) {
        let s3 = try #require(server.s3)
        let reply = try await s3.send(.GET, key: "blobs/\(name)", limit: 1 << 30)
        #expect(reply.status == 200)
        return (reply.headers.first(name: "etag") ?? "", Array(buffer: reply.body))
    }

    /// A streamed upload larger than one part is a native multipart upload of 8 mib parts; one that fits in a
    /// part is a single PUT; neither leaves a marker or an unfinished S3 upload.
    @Test func streamedUploadsUseNativeMultipart() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let big = Fixtures.bytes(17 * mib + 5)
        let chunks = stride(from: 0, to: big.count, by: 1 << 20).map { Array(big[$0..<min($0 + (1 << 20), big.count)]) }
        #expect(try await server.putChunked("/files/\(bucket)/big", chunks: chunks).status == 200)
        #expect(try await server.request(.PUT, "/files/\(bucket)/small", body: Array("small".utf8)).status == 200)
        #expect(try await server.pendingBlobs().isEmpty)
        var etags: [String] = []
        for name in try await server.storedBlobs() {
            let (etag, bytes) = try await object(server, name)
            #expect(bytes == big || bytes == Array("small".utf8))
            etags.append(etag)
        }
        #expect(etags.filter { $0.hasSuffix("-3\"") }.count == 1, "\(etags)")
        #expect(etags.filter { !$0.contains("-") }.count == 1, "\(etags)")
        #expect(try await openS3Uploads(server).isEmpty)
        #expect(
            try await server.request(.GET, "/files/\(bucket)/big", headers: [("range", "bytes=9000000-9000009")]).bytes
                == Array(big[9_000_000..<9_000_010]))
    }

    /// Each part of a Vellum multipart upload is the S3 part of the same number (+1), streamed once; completion
    /// joins them in S3 without rewriting any, and the result is verified against the whole-file checksums.
    @Test func multipartPartsAreNativeParts() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(11 * mib)
        let pieces = parts(data, 5 * mib)
        let upload = try #require(try await server.startUpload(bucket, "mp", size: data.count)["id"] as? String)
        #expect(try await server.putPart(bucket, "mp", upload, 2, pieces[2]).status == 200)
        #expect(try await server.putPart(bucket, "mp", upload, 0, pieces[0]).status == 200)

        let (key, uploadID) = try #require(try await openS3Uploads(server).first)
        let s3 = try #require(server.s3)
        let partList = try await s3.send(.GET, key: key, query: [("uploadId", uploadID)])
        let sent = try S3XML(partList.body, record: "Part").records
        #expect(sent.map { $0["PartNumber"] } == ["1", "3"])
        #expect(sent.map { $0["Size"] } == ["\(5 * mib)", "\(mib)"])
        let md5 = Insecure.MD5.hash(data: pieces[0]).map { String(format: "%02x", $0) }.joined()
        #expect(sent.first?["ETag"] == "\"\(md5)\"")

        #expect(try await server.putPart(bucket, "mp", upload, 1, pieces[1]).status == 200)
        let done = try await server.request(.POST, "/files/\(bucket)/mp?uploadId=\(upload)")
        #expect(done.status == 200)
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let listed = try await server.request(.GET, "/files/\(bucket)").json()["contents"] as? [[String: Any]]
        #expect((listed?.first?["checksums"] as? [String: String])?["sha256"] == sha)
        #expect(try await openS3Uploads(server).isEmpty)
        let (etag, bytes) = try await object(server, String(key.dropFirst("blobs/".count)))
        #expect(etag.hasSuffix("-3\""))
        #expect(bytes == data)
        #expect(try await server.pendingBlobs().isEmpty)
    }

    /// Parts sent in order are hashed as they stream through, so completion reads back only the parts that came
    /// out of order (and the first 4 KiB, for the media type), never the whole object.
    @Test func completionReadsBackOnlyPartsSentOutOfOrder() async throws {
        let server = try await TestServer()
        let log = server.dataDir + "/moto.log"
        let moto = try await TestServer.privateMoto(log: log)
        defer { kill(moto.process.processIdentifier, SIGKILL) }  // moto may not end on SIGTERM while serving
        let uri = try await TestServer.newS3Bucket(endpoint: moto.endpoint)
        let body = Array(try JSONSerialization.data(withJSONObject: ["name": "own", "uri": uri]))
        #expect(try await server.request(.POST, "/locations", body: body).status == 201)
        let bucket = try await server.createBucket(["location": "own"])
        /// The GETs of blobs moto has served so far (werkzeug may colour a line: `"\e[35m\e[1mGET /...`).
        func gets() throws -> Int {
            try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains("GET /") && $0.contains("/blobs/") }.count
        }
        /// Completes an upload of four parts sent in `order`; answers the GETs of its object moto served.
        func upload(_ key: String, order: [Int]) async throws -> Int {
            let before = try gets()
            let data = Fixtures.bytes(16 * mib + 7)
            let pieces = parts(data, 5 * mib)
            let upload = try #require(try await server.startUpload(bucket, key, size: data.count)["id"] as? String)
            for number in order { #expect(try await server.putPart(bucket, key, upload, number, pieces[number]).status == 200) }
            #expect(try await server.request(.POST, "/files/\(bucket)/\(key)?uploadId=\(upload)").status == 200)
            let listed = try await server.request(.GET, "/files/\(bucket)").json()["contents"] as? [[String: Any]]
            let object = try #require(listed?.first { $0["key"] as? String == key })
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            #expect((object["checksums"] as? [String: String])?["sha256"] == sha)
            #expect(try await server.request(.GET, "/files/\(bucket)/\(key)").bytes == data)
            return try gets() - before
        }
        // In order: the 4 KiB for the type, then the download above.
        #expect(try await upload("ordered", order: [0, 1, 2, 3]) == 2)
        // Part 2 arrives before part 1: 2 and 3 no longer continue the prefix and are read back (2 GETs).
        #expect(try await upload("shuffled", order: [0, 2, 1, 3]) == 4)
    }

    /// S3 replaces a part only once the new one is whole: a part sent again that breaks off half-way leaves the
    /// first one counting, and the upload completes with it.
    @Test func aPartSentAgainCountsUntilReplaced() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(7 * mib)
        let pieces = parts(data, 5 * mib)
        let upload = try #require(try await server.startUpload(bucket, "mp", size: data.count)["id"] as? String)
        for (number, piece) in pieces.enumerated() {
            #expect(try await server.putPart(bucket, "mp", upload, number, piece).status == 200)
        }
        let connection = try RawConnection(port: server.port)
        try connection.startUpload(path: "/files/\(bucket)/mp?uploadId=\(upload)&partNumber=0", length: 5 * mib)
        try connection.send(Fixtures.bytes(mib))
        try await Task.sleep(for: .milliseconds(300))
        shutdown(connection.fd, Int32(SHUT_RDWR))
        try await Task.sleep(for: .milliseconds(300))
        let listed = try await server.request(.GET, "/files/\(bucket)/mp?uploadId=\(upload)").json()
        #expect((listed["parts"] as? [[String: Any]])?.count == 2)
        #expect(try await server.request(.POST, "/files/\(bucket)/mp?uploadId=\(upload)").status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/mp").bytes == data)
    }

    /// A store that does not answer: uploads fail with 503 (a JSON error) within seconds, leave no version and
    /// no quota used; reads of other locations go on.
    @Test func anUnreachableStoreGives503AndNoVersion() async throws {
        let server = try await TestServer()
        let closed = try TestServer.freePort()
        let uri = "s3://nowhere?endpoint=http://127.0.0.1:\(closed)&region=us-east-1"
        try await server.sql(
            "INSERT INTO locations (name, uri, is_default, created) VALUES ('down', '\(uri)', FALSE, 0)")
        let bucket = try await server.createBucket(["location": "down"])
        let started = ContinuousClock.now
        let put = try await server.request(.PUT, "/files/\(bucket)/doc", body: Fixtures.bytes(1000))
        #expect(put.status == 503)
        #expect(try put.json()["status"] as? Int == 503)
        #expect(started.duration(to: .now) < .seconds(15))
        let chunked = try await server.putChunked("/files/\(bucket)/big", chunks: Array(repeating: Fixtures.bytes(mib), count: 12))
        #expect(chunked.status == 503)
        let listing = try await server.request(.GET, "/files/\(bucket)?versions").json()
        #expect((listing["contents"] as? [Any])?.isEmpty == true)
        #expect(try await server.bucketSize(bucket) == 0)
        #expect(try await server.health() == 200)  // the default location is fine
    }

    /// With `redirect_downloads=true`, a GET answers 302 to a presigned URL of the store that serves the bytes
    /// (ranges too) with Vellum's sanitised type and disposition; HEAD and conditional GETs are answered by Vellum.
    @Test func downloadsCanBeRedirectedToTheStore() async throws {
        let server = try await TestServer()
        let moto = try await TestServer.privateMoto()
        defer { kill(moto.process.processIdentifier, SIGKILL) }  // moto may not end on SIGTERM while serving
        let uri = try await TestServer.newS3Bucket(endpoint: moto.endpoint) + "&redirect_downloads=true"
        let body = Array(try JSONSerialization.data(withJSONObject: ["name": "direct", "uri": uri]))
        #expect(try await server.request(.POST, "/locations", body: body).status == 201)
        let bucket = try await server.createBucket(["location": "direct"])
        let data = Fixtures.bytes(50_000)
        let put = try await server.request(.PUT, "/files/\(bucket)/page.html", body: data)
        #expect(put.status == 200)

        let reply = try await server.request(.GET, "/files/\(bucket)/page.html", followRedirects: false)
        #expect(reply.status == 302)
        let location = try #require(reply.header("location"))
        #expect(location.hasPrefix(moto.endpoint + "/vt-"))
        #expect(location.contains("X-Amz-Signature=") && location.contains("X-Amz-Expires=300"))
        #expect(location.contains("response-content-type=text%2Fplain"))  // HTML is never served as HTML
        #expect(location.contains("response-content-disposition=inline%3B%20filename%3D%22page.html%22"))
        #expect(reply.header("cache-control") == "no-store")
        #expect(reply.header("x-content-type-options") == "nosniff")

        var direct = HTTPClientRequest(url: location)
        direct.headers.add(name: "range", value: "bytes=100-199")
        let ranged = try await server.send(direct)
        #expect(ranged.status == 206 && ranged.bytes == Array(data[100..<200]), "\(ranged.status) \(ranged.text)")
        #expect(try await server.send(HTTPClientRequest(url: location)).bytes == data)

        #expect(try await server.request(.HEAD, "/files/\(bucket)/page.html").status == 200)
        let etag = try #require(put.header("etag"))
        #expect(try await server.request(.GET, "/files/\(bucket)/page.html", headers: [("if-none-match", etag)]).status == 304)
    }

    /// The S3 multipart uploads not completed or aborted in the server's bucket: (key, upload id).
    func openS3Uploads(_ server: TestServer) async throws -> [(String, String)] {
        let s3 = try #require(server.s3)
        let reply = try await s3.send(.GET, key: "", query: [("uploads", "")])
        return try S3XML(reply.body, record: "Upload").records.compactMap { item in
            guard let key = item["Key"], let id = item["UploadId"] else { return nil }
            return (key, id)
        }
    }
}

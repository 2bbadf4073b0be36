import Foundation
import Testing

@Suite struct DownloadTests {
    let data = Fixtures.bytes(300_000)

    func upload(_ server: TestServer, _ key: String = "file.bin", type: String? = nil, body: [UInt8]? = nil)
        async throws -> String
    {
        let bucket = try await server.createBucket()
        let headers = type.map { [("Content-Type", $0)] } ?? []
        let reply = try await server.request(.PUT, "/files/\(bucket)/\(key)", headers: headers, body: body ?? data)
        #expect(reply.status == 200)
        return bucket
    }

    @Test func largeFilesReadBackExactlyAtUnalignedRanges() async throws {
        // Large uploads are written and read with O_DIRECT in aligned blocks; ranges must still be exact.
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(10 * 1024 * 1024 + 3, seed: 9)
        #expect(try await server.request(.PUT, "/files/\(bucket)/big", body: data).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/big").bytes == data)
        for (range, expected) in [
            ("bytes=4097-9437183", data[4097...9_437_183]), ("bytes=1-", data[1...]), ("bytes=-4099", data[(data.count - 4099)...]),
        ] {
            let reply = try await server.request(.GET, "/files/\(bucket)/big", headers: [("Range", range)])
            #expect(reply.status == 206)
            #expect(reply.bytes == Array(expected), "\(range)")
        }
    }

    @Test func safeHeadersOnEveryDownload() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server, "page.html", type: "text/html", body: Array("<script>alert(1)</script>".utf8))
        let reply = try await server.request(.GET, "/files/\(bucket)/page.html")
        #expect(reply.header("Content-Type") == "text/plain")
        #expect(reply.header("Content-Disposition") == "inline; filename=\"page.html\"")
        #expect(reply.header("X-Content-Type-Options") == "nosniff")
        #expect(reply.header("Content-Security-Policy") == "default-src 'none';")
        #expect(reply.header("X-Frame-Options") == "deny")
        #expect(reply.header("X-Download-Options") == "noopen")
        #expect(reply.header("X-Permitted-Cross-Domain-Policies") == "none")
        #expect(reply.header("X-XSS-Protection") == "1; mode=block")
        #expect(reply.header("Cache-Control") == "no-cache")
        #expect(reply.header("Accept-Ranges") == "bytes")
        #expect(reply.header("Last-Modified")?.hasSuffix(" GMT") == true)
        #expect(reply.header("Repr-Digest")?.contains("sha-256=:") == true)
        let forced = try await server.request(.GET, "/files/\(bucket)/page.html?download")
        #expect(forced.header("Content-Disposition") == "attachment; filename=\"page.html\"")
    }

    @Test func typesAreSanitised() async throws {
        let server = try await TestServer()
        let svg = try await upload(server, "logo.svg", type: "image/svg+xml", body: Array("<svg/>".utf8))
        #expect(try await server.request(.GET, "/files/\(svg)/logo.svg").header("Content-Type") == "text/plain")
        let png = try await upload(server, "p.png", type: "image/png", body: Fixtures.png)
        #expect(try await server.request(.GET, "/files/\(png)/p.png").header("Content-Type") == "image/png")
        let other = try await upload(server, "x.exe", type: "application/x-msdownload")
        let reply = try await server.request(.GET, "/files/\(other)/x.exe")
        #expect(reply.header("Content-Type") == "application/octet-stream")
        #expect(reply.header("Content-Disposition") == "attachment; filename=\"x.exe\"")
        let unicode = try await upload(server, "d%C3%A9j%C3%A0%20vu.txt", type: "text/plain")
        #expect(
            try await server.request(.GET, "/files/\(unicode)/d%C3%A9j%C3%A0%20vu.txt").header("Content-Disposition")
                == "inline; filename=\"deja vu.txt\"; filename*=UTF-8''d%C3%A9j%C3%A0%20vu.txt")
    }

    @Test func headHasHeadersButNoBody() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server)
        let reply = try await server.request(.HEAD, "/files/\(bucket)/file.bin")
        #expect(reply.status == 200)
        #expect(reply.body.readableBytes == 0)
        #expect(reply.header("Content-Length") == String(data.count))
        #expect(reply.header("ETag") == "\"md5:\(Fixtures.md5(data))\"")
    }

    @Test func singleRanges() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server)
        let path = "/files/\(bucket)/file.bin"
        let cases: [(String, Range<Int>)] = [
            ("bytes=0-99", 0..<100), ("bytes=299990-", 299_990..<300_000), ("bytes=-50", 299_950..<300_000),
            ("bytes=1000-999999", 1000..<300_000), ("bytes=-999999", 0..<300_000),
        ]
        for (header, range) in cases {
            let reply = try await server.request(.GET, path, headers: [("Range", header)])
            #expect(reply.status == 206, "\(header)")
            #expect(reply.bytes == Array(data[range]), "\(header)")
            #expect(reply.header("Content-Range") == "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(data.count)")
            #expect(reply.header("Content-Length") == String(range.count))
        }
    }

    @Test func unsatisfiableAndMalformedRanges() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server)
        let path = "/files/\(bucket)/file.bin"
        let beyond = try await server.request(.GET, path, headers: [("Range", "bytes=300000-")])
        #expect(beyond.status == 416)
        #expect(beyond.header("Content-Range") == "bytes */300000")
        #expect(try beyond.json()["status"] as? Int == 416)
        for header in ["bytes=5-1", "bytes=abc", "items=0-1", "bytes=1-2-3"] {
            let reply = try await server.request(.GET, path, headers: [("Range", header)])
            #expect(reply.status == 200, "\(header)")
            #expect(reply.bytes.count == data.count)
        }
    }

    @Test func multipleRangesAsMultipartByteranges() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server, type: "image/png")
        let reply = try await server.request(.GET, "/files/\(bucket)/file.bin", headers: [("Range", "bytes=0-9, 100-109, -5")])
        #expect(reply.status == 206)
        let type = try #require(reply.header("Content-Type"))
        #expect(type.hasPrefix("multipart/byteranges; boundary="))
        #expect(reply.header("Content-Length") == String(reply.body.readableBytes))
        let boundary = String(type.dropFirst("multipart/byteranges; boundary=".count))
        let body = reply.bytes
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasSuffix("\r\n--\(boundary)--\r\n"))
        let expected: [(Int, Int)] = [(0, 9), (100, 109), (299_995, 299_999)]
        for (start, end) in expected {
            let header = "Content-Type: image/png\r\nContent-Range: bytes \(start)-\(end)/300000\r\n\r\n"
            let headerBytes = Array(header.utf8)
            let position = try #require(body.firstRange(of: headerBytes))
            #expect(Array(body[position.upperBound..<position.upperBound + end - start + 1]) == Array(data[start...end]))
        }
    }

    @Test func overlappingRangesDoNotAmplify() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server)
        let path = "/files/\(bucket)/file.bin"
        let hundred = "bytes=" + Array(repeating: "0-", count: 100).joined(separator: ",")
        let whole = try await server.request(.GET, path, headers: [("Range", hundred)])
        #expect(whole.status == 206)
        #expect(whole.bytes == data)
        let overlapping = "bytes=" + (0..<100).map { "\($0 * 10)-\($0 * 10 + 2_999)" }.joined(separator: ",")
        let merged = try await server.request(.GET, path, headers: [("Range", overlapping)])
        #expect(merged.status == 206)
        #expect(merged.header("Content-Range") == "bytes 0-3989/300000")
        #expect(merged.bytes == Array(data[0..<3990]))
    }

    @Test func extremeAndMalformedDatesAreIgnored() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket(["public": true])
        #expect(try await server.request(.PUT, "/files/\(bucket)/file.bin", body: data).status == 200)
        let path = "/files/\(bucket)/file.bin"
        let dates = [
            "Sun, 01 Jan -2147483648 00:00:00 GMT", "Sun, 01 Jan 2147483647 00:00:00 GMT",
            "Sun, 01 Jan 99999999999999999999 00:00:00 GMT", "Sun, 99 Jan 2020 99:99:99 GMT", "Fri, 31 Feb 2020 00:00:00 GMT",
            "yesterday", "Sun, 01 Jan 1970 00:00:00 GMT junk", "",
        ]
        for date in dates {
            for name in ["If-Modified-Since", "If-Unmodified-Since"] {
                // Anonymous, as anyone could send them to a public object.
                #expect(try await server.request(.GET, path, token: nil, headers: [(name, date)]).status == 200, "\(name): \(date)")
                #expect(try await server.request(.HEAD, path, token: nil, headers: [(name, date)]).status == 200, "\(name): \(date)")
            }
            let ranged = try await server.request(.GET, path, token: nil, headers: [("Range", "bytes=0-9"), ("If-Range", date)])
            #expect(ranged.status == 200, "If-Range: \(date)")
            #expect(ranged.bytes.count == data.count)
        }
        #expect(try await server.health() == 200)
    }

    @Test func conditionalRequests() async throws {
        let server = try await TestServer()
        let bucket = try await upload(server)
        let path = "/files/\(bucket)/file.bin"
        let etag = "\"md5:\(Fixtures.md5(data))\""
        let first = try await server.request(.GET, path)
        let lastModified = try #require(first.header("Last-Modified"))
        let notModified = try await server.request(.GET, path, headers: [("If-None-Match", etag)])
        #expect(notModified.status == 304)
        #expect(notModified.body.readableBytes == 0)
        #expect(notModified.header("ETag") == etag)
        #expect(try await server.request(.GET, path, headers: [("If-None-Match", "W/\(etag)")]).status == 304)
        #expect(try await server.request(.GET, path, headers: [("If-None-Match", "\"other\", *")]).status == 304)
        #expect(try await server.request(.GET, path, headers: [("If-None-Match", "\"other\"")]).status == 200)
        #expect(try await server.request(.GET, path, headers: [("If-Modified-Since", lastModified)]).status == 304)
        #expect(
            try await server.request(.GET, path, headers: [("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status
                == 200)
        let failed = try await server.request(.GET, path, headers: [("If-Match", "\"md5:0000\"")])
        #expect(failed.status == 412)
        #expect(try failed.json()["status"] as? Int == 412)
        #expect(try await server.request(.GET, path, headers: [("If-Match", etag)]).status == 200)
        #expect(
            try await server.request(.GET, path, headers: [("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")])
                .status == 412)
        // If-Range: a matching validator gives the range, a stale one the whole file.
        let ranged = try await server.request(.GET, path, headers: [("Range", "bytes=0-9"), ("If-Range", etag)])
        #expect(ranged.status == 206)
        let stale = try await server.request(.GET, path, headers: [("Range", "bytes=0-9"), ("If-Range", "\"md5:old\"")])
        #expect(stale.status == 200)
        #expect(stale.bytes.count == data.count)
    }

    @Test func versionsByID() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let v1 = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8)).json()
        _ = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("two".utf8))
        let id = try #require(v1["version_id"] as? String)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "two")
        #expect(try await server.request(.GET, "/files/\(bucket)/doc?versionId=\(id)").text == "one")
        #expect(try await server.request(.GET, "/files/\(bucket)/other?versionId=\(id)").status == 404)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc?versionId=\(UUID())").status == 404)
        let invalid = try await server.request(.GET, "/files/\(bucket)/doc?versionId=nope")
        #expect(invalid.status == 422)
        let errors = try #require(try invalid.json()["errors"] as? [[String: String]])
        #expect(errors.first?["field"] == "versionId")
        #expect(try await server.request(.GET, "/files/\(bucket)/missing").status == 404)
    }
}

import Foundation
import Testing

/// The IIIF Image API against a real daemon: the official validator (levels 0-2, both versions), status codes,
/// headers, and the sizes and tiles info.json promises.
@Suite struct IIIFTests {
    static let validatorImage = "67352ccc-d1b0-11e1-89ae-279075081939.png"

    /// The validator's virtual environment (`scripts/test.sh` makes it): its Python has Pillow.
    static func validator() throws -> (python: String, script: String) {
        guard let script = ProcessInfo.processInfo.environment["VELLUM_IIIF_VALIDATOR"] else {
            throw TestError("VELLUM_IIIF_VALIDATOR is not set: run the suite with ./scripts/test.sh")
        }
        return (URL(fileURLWithPath: script).deletingLastPathComponent().appendingPathComponent("python").path, script)
    }

    /// A public bucket holding the validator's test image (regenerated from the validator's own colour table, as
    /// its repository's image is not published with it), and a private one with a PNG and a text file.
    static func server() async throws -> (TestServer, bucket: String) {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PATCH, "/files/\(bucket)", body: Array(#"{"public": true}"#.utf8)).status == 200)
        let (python, _) = try validator()
        let png = server.dataDir + "/validator.png"
        let made = try await TestServer.execute(
            python,
            [
                "-c",
                """
                from PIL import Image; from iiif_validator.validator import ValidationInfo
                c = ValidationInfo().colorInfo; im = Image.new('RGB', (1000, 1000))
                for x in range(10):
                    for y in range(10): im.paste(c[x][y], (x*100, y*100, x*100+100, y*100+100))
                im.save('\(png)')
                """,
            ])
        #expect(made.status == 0, "\(made.errors)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/\(validatorImage)", body: bytes).status == 200)
        return (server, bucket)
    }

    @Test func theOfficialValidatorPassesLevelTwo() async throws {
        let (server, bucket) = try await Self.server()
        let (python, script) = try Self.validator()
        for (prefix, version) in [("iiif/v2", "2.0"), ("iiif/v3", "3.0")] {
            let run = try await TestServer.execute(
                python,
                [
                    script, "-s", "127.0.0.1:\(server.port)", "-p", prefix, "-i", "\(bucket):\(Self.validatorImage)",
                    "--version=\(version)", "--level", "2", "-v",
                ])
            #expect(run.status == 0, "validator \(version): \(run.output.suffix(3000)) \(run.errors.suffix(2000))")
        }
    }

    /// PNG width and height, from the IHDR chunk.
    static func pngSize(_ body: [UInt8]) -> [Int]? {
        guard body.count > 24, body[1...3] == [0x50, 0x4E, 0x47] else { return nil }
        func int(_ at: Int) -> Int { body[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return [int(16), int(20)]
    }

    @Test func infoSizesAndTilesAreServedExactly() async throws {
        let (server, bucket) = try await Self.server()
        let base = "/iiif/v3/\(bucket):\(Self.validatorImage)"
        let reply = try await server.request(.GET, base + "/info.json", token: nil)
        #expect(reply.status == 200)
        #expect(reply.headers["Content-Type"].first?.hasPrefix("application/ld+json") == true)
        #expect(reply.headers["Access-Control-Allow-Origin"].first == "*")
        let info = try reply.json()
        #expect(info["width"] as? Int == 1000 && info["height"] as? Int == 1000)
        #expect(info["id"] as? String == server.baseURL + base)
        let sizes = info["sizes"] as? [[String: Int]] ?? []
        #expect(sizes.count == 3)
        for size in sizes {
            let w = size["width"] ?? 0
            let h = size["height"] ?? 0
            let image = try await server.request(.GET, base + "/full/\(w),\(h)/0/default.png", token: nil)
            #expect(Self.pngSize(Array(image.body.readableBytesView)) == [w, h])
        }
        let tiles = (info["tiles"] as? [[String: Any]])?.first ?? [:]
        let tile = tiles["width"] as? Int ?? 0
        #expect(tile == 256)
        for factor in tiles["scaleFactors"] as? [Int] ?? [] {
            // The bottom-right tile at each scale factor, as a viewer computes it.
            let span = tile * factor
            let columns = (1000 + span - 1) / span
            let x = (columns - 1) * span
            let w = 1000 - x
            let outW = (w + factor - 1) / factor
            let url = base + "/\(x),\(x),\(w),\(w)/\(outW),\(outW)/0/default.png"
            let image = try await server.request(.GET, url, token: nil)
            #expect(image.status == 200, "\(url)")
            #expect(Self.pngSize(Array(image.body.readableBytesView)) == [outW, outW], "\(url)")
        }
        let v2 = try await server.request(.GET, "/iiif/v2/\(bucket):\(Self.validatorImage)/info.json", token: nil)
        #expect(v2.headers["Content-Type"].first == "application/json")
        #expect((try v2.json()["profile"] as? [Any])?.first as? String == "http://iiif.io/api/image/2/level2.json")
    }

    @Test func statusCodesAndHeaders() async throws {
        let (server, bucket) = try await Self.server()
        let id = "\(bucket):\(Self.validatorImage)"
        func status(_ path: String, token: String? = nil) async throws -> (Int, String?) {
            let reply = try await server.request(.GET, path, token: token)
            return (reply.status, reply.headers["Access-Control-Allow-Origin"].first)
        }
        // Base URI: 303 to info.json.
        let base = try await server.request(.GET, "/iiif/v3/\(id)", token: nil, followRedirects: false)
        #expect(base.status == 303)
        #expect(base.headers["Location"].first == server.baseURL + "/iiif/v3/\(id)/info.json")
        // 400 for bad parameters, never 500; CORS on errors too.
        for bad in [
            "/iiif/v3/\(id)/0,0,0,0/max/0/default.jpg", "/iiif/v3/\(id)/full/full/0/default.jpg",
            "/iiif/v3/\(id)/full/max/400/default.jpg", "/iiif/v3/\(id)/full/max/0/sepia.jpg",
            "/iiif/v3/\(id)/full/max/0/default.bmp", "/iiif/v3/\(id)/full/2000,/0/default.jpg",
        ] {
            #expect(try await status(bad) == (400, "*"), "\(bad)")
        }
        #expect(try await status("/iiif/v3/\(id)/full/max/0/default.pdf") == (501, "*"))
        #expect(try await status("/iiif/v3/\(UUID()):x.png/info.json") == (404, "*"))
        #expect(try await status("/iiif/v3/\(bucket):missing.png/info.json") == (404, "*"))
        #expect(try await status("/iiif/v4/\(id)/info.json").0 == 404)
        #expect(try await status("/iiif/v3/a/b/full/max/0/default.jpg") == (404, nil))  // no IIIF URL: the router's 404

        // A file that is not an image: 404, as no image has that identifier.
        #expect(try await server.request(.PUT, "/files/\(bucket)/notes.txt", body: Array("text".utf8)).status == 200)
        #expect(try await status("/iiif/v3/\(bucket):notes.txt/info.json") == (404, "*"))

        // Reading needs the permission to read the object: a private bucket's images are not found anonymously.
        let priv = try await server.createBucket()
        let png = try await server.request(.GET, "/iiif/v3/\(id)/full/100,/0/default.png", token: nil)
        #expect(try await server.request(.PUT, "/files/\(priv)/a.png", body: Array(png.body.readableBytesView)).status == 200)
        #expect(try await status("/iiif/v3/\(priv):a.png/info.json") == (404, "*"))
        #expect(try await status("/iiif/v3/\(priv):a.png/info.json", token: TestServer.adminToken).0 == 200)

        // Link headers and preflight.
        let image = try await server.request(.GET, "/iiif/v3/\(id)/full/max/!90/gray.png", token: nil)
        #expect(image.status == 200)
        let links = image.headers["Link"].joined(separator: ", ")
        #expect(links.contains("<http://iiif.io/api/image/3/level2.json>;rel=\"profile\""))
        #expect(links.contains("<\(server.baseURL)/iiif/v3/\(id)/full/max/!90/gray.png>;rel=\"canonical\""))
        let preflight = try await server.request(
            .OPTIONS, "/iiif/v3/\(id)/info.json", token: nil,
            headers: [("Origin", "https://viewer.example"), ("Access-Control-Request-Method", "GET")])
        #expect(preflight.status == 204)
        #expect(preflight.headers["Access-Control-Allow-Origin"].first == "*")
    }

    /// Runs Python code with the validator's Pillow.
    static func python(_ code: String) async throws {
        let run = try await TestServer.execute(try validator().python, ["-c", code])
        #expect(run.status == 0, "\(run.errors)")
    }

    /// Waits until the data directory holds `count` blobs; returns them.
    func blobs(_ server: TestServer, count: Int) async throws -> [String] {
        for _ in 0..<300 {
            guard try await server.storedBlobs().count != count else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await server.storedBlobs()
    }

    /// An uploaded image gets a pyramid by itself: a tiled TIFF stored beside it, from which it is then served
    /// (shown by damaging the original: tiles still come), that fixity verifies, and that goes with the image.
    @Test func pyramidsAreBuiltServedVerifiedAndDeleted() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let jpg = server.dataDir + "/big.jpg"
        try await Self.python("from PIL import Image; Image.effect_noise((2000, 1500), 64).convert('RGB').save('\(jpg)', quality=90)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: jpg)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/big.jpg", body: bytes).status == 200)
        let original = try await server.blob(size: bytes.count)
        let stored = try await blobs(server, count: 2)
        #expect(stored.count == 2)
        // The pyramid's blob is written before its row commits: wait for the row.
        #expect(try await eventually { try await server.sql("SELECT COUNT(*) FROM file_derivatives WHERE derivative_id IS NOT NULL") == ["1"] })
        let pyramid = try #require(stored.first { $0 != original.name })
        let head = Array(try await StoredBlob(server: server, name: pyramid).read().prefix(4))
        #expect(head == [0x49, 0x49, 0x2A, 0x00] || head == [0x49, 0x49, 0x2B, 0x00])  // a (Big)TIFF

        // Served from the pyramid: with the original's bytes damaged, every level still answers.
        try await original.write([UInt8](repeating: 0, count: bytes.count))
        let base = "/iiif/v3/\(bucket):big.jpg"
        let info = try await server.request(.GET, base + "/info.json").json()
        #expect(info["width"] as? Int == 2000 && info["height"] as? Int == 1500)
        for (region, size) in [("0,0,256,256", "256,256"), ("1024,1024,976,476", "122,60"), ("full", "250,188")] {
            let reply = try await server.request(.GET, base + "/\(region)/\(size)/0/default.png")
            #expect(reply.status == 200, "\(region) \(size): \(reply.text)")
            #expect(Self.pngSize(Array(reply.body.readableBytesView)).map { "\($0[0]),\($0[1])" } == size)
        }

        // A viewer's tile is sent as stored in the pyramid (a whole JPEG, no decoding): the same picture as the
        // decoded one.
        let asStored = try await server.request(.GET, base + "/256,512,256,256/256,/0/default.jpg")
        let decoded = try await server.request(.GET, base + "/256,512,256,256/256,/0/default.png")
        #expect(asStored.status == 200 && decoded.status == 200)
        let tiles = [(asStored, "stored.jpg"), (decoded, "decoded.png")].map { (server.dataDir + "/" + $0.1, $0.0) }
        for (path, reply) in tiles { try Data(reply.body.readableBytesView).write(to: URL(fileURLWithPath: path)) }
        try await Self.python(
            """
            from PIL import Image, ImageChops, ImageStat
            a, b = Image.open('\(tiles[0].0)'), Image.open('\(tiles[1].0)').convert('RGB')
            assert a.format == 'JPEG' and a.size == (256, 256) == b.size, (a.format, a.size, b.size)
            diff = ImageStat.Stat(ImageChops.difference(a.convert('RGB'), b)).mean
            assert max(diff) < 4, diff
            """)

        // Fixity verifies the pyramid as a file of its own: it passes, the damaged original fails.
        let run = try await server.cliStatus(["fixity", "run"])
        #expect(run.status == 1)
        #expect(run.output.contains("verified 2 files"))
        #expect(run.output.contains("1 failed"))

        // Deleting the image's last version deletes its pyramid too.
        let versions = try await server.request(.GET, "/files/\(bucket)?versions").json()["contents"] as? [[String: Any]]
        let versionID = try #require(versions?.first?["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/big.jpg?versionId=\(versionID)").status == 204)
        #expect(try await blobs(server, count: 0).isEmpty)
    }

    /// An image in S3 is read into a local copy once, checked, and read again when the copy is lost; one in a local
    /// location is read where it is stored, with no copy.
    @Test func imagesInS3AreCopiedOnceAndAgainWhenLost() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let png = server.dataDir + "/small.png"
        try await Self.python("from PIL import Image; Image.new('RGB', (200, 100), (10, 200, 30)).save('\(png)')")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/small.png", body: bytes).status == 200)
        let file = try #require(try await server.sql("SELECT file_id FROM object_versions WHERE key = 'small.png'").first)
        let copy = server.dataDir + "/cache/iiif/" + file
        let base = "/iiif/v3/\(bucket):small.png"
        #expect(try await server.request(.GET, base + "/info.json").json()["width"] as? Int == 200)
        #expect(FileManager.default.fileExists(atPath: copy) == (server.s3 != nil))
        #expect(try await server.request(.GET, base + "/0,0,50,50/max/0/default.png").status == 200)
        if server.s3 != nil {
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy))) == bytes)
            try FileManager.default.removeItem(atPath: copy)
            #expect(try await server.request(.GET, base + "/50,50,50,50/max/0/default.png").status == 200)
            #expect(FileManager.default.fileExists(atPath: copy))
        }
    }

    /// An image whose header claims 30000×30000 pixels is refused before any decoding (no pyramid either), and the
    /// daemon's memory stays small.
    /// AVIF through libvips' HEIF module, the one loader module the daemon loads besides JPEG XL's
    /// (`IIIFRenderer.withUsedModules`).
    @Test func avifImagesAreServed() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let path = server.dataDir + "/image.avif"
        _ = try await IIIFPagesTests.python(
            "import sys; from PIL import Image; Image.new('RGB', (64, 48), (30, 140, 220)).save(sys.argv[1], format='AVIF')", [path])
        try await IIIFPagesTests.upload(server, bucket, "image.avif", file: path)
        let info = try await server.request(.GET, "/iiif/v3/\(bucket):image.avif/info.json")
        #expect(info.status == 200, "\(info.text)")
        #expect([try info.json()["width"] as? Int, try info.json()["height"] as? Int] == [64, 48])
        let image = try await server.request(.GET, "/iiif/v3/\(bucket):image.avif/full/max/0/default.png")
        #expect(image.status == 200)
        let colour = try await IIIFPagesTests.colour(image.bytes, in: server).split(separator: ",").compactMap { Int($0) }
        #expect(zip(colour, [30, 140, 220]).allSatisfy { abs($0 - $1) <= 6 }, "\(colour)")
    }

    @Test func decompressionBombsAreRefused() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let png = server.dataDir + "/bomb.png"
        try await Self.python(
            """
            import struct, zlib
            def chunk(kind, data): return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
            ihdr = struct.pack('>IIBBBBB', 30000, 30000, 8, 2, 0, 0, 0)
            open('\(png)', 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\\0' * 90001 * 8)) + chunk(b'IEND', b''))
            """)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/bomb.png", body: bytes).status == 200)
        let base = "/iiif/v3/\(bucket):bomb.png"
        let info = try await server.request(.GET, base + "/info.json")
        #expect(info.status == 400)
        #expect(info.text.contains("30000×30000"))
        #expect(try await server.request(.GET, base + "/full/max/0/default.jpg").status == 400)
        #expect(try await server.request(.GET, base + "/0,0,256,256/256,/0/default.jpg").status == 400)
        try await server.waitForPasses("pyramids")  // the pyramid pass has looked at it
        #expect(try await server.storedBlobs().count == 1)
        let peak = TestServer.procStatus(try #require(server.pid), "VmHWM:") ?? Int.max
        #expect(peak < 300_000, "peak RSS \(peak) KiB")
    }

    /// Encoded images are cached by file and canonical request; entity tags make revalidation a 304 that renders
    /// nothing; HEAD answers the headers; a version's URL may be cached for good.
    @Test func responsesAreCachedAndRevalidated() async throws {
        let (server, bucket) = try await Self.server()
        #expect(try await blobs(server, count: 2).count == 2)  // the pyramid is there: what is served stays the same
        let base = "/iiif/v3/\(bucket):\(Self.validatorImage)"
        let url = base + "/100,100,300,300/150,/0/default.jpg"
        let first = try await server.request(.GET, url, token: nil)
        #expect(first.status == 200)
        #expect(first.headers["X-Vellum-Cache"].first == "miss")
        #expect(first.headers["Cache-Control"].first == "public, max-age=60")
        let etag = try #require(first.headers["ETag"].first)
        let second = try await server.request(.GET, url, token: nil)
        #expect(second.headers["X-Vellum-Cache"].first == "hit")
        #expect(second.headers["ETag"].first == etag)
        #expect(second.body == first.body)
        // The same image asked for in another (non-canonical) way is the same entry.
        let other = try await server.request(.GET, base + "/100,100,300,300/150,150/0/default.jpg", token: nil)
        #expect(other.headers["X-Vellum-Cache"].first == "hit")

        let revalidated = try await server.request(.GET, url, token: nil, headers: [("If-None-Match", etag)])
        #expect(revalidated.status == 304)
        #expect(revalidated.body.readableBytes == 0)
        let head = try await server.request(.HEAD, url, token: nil)
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"].first == String(first.body.readableBytes))
        #expect(head.body.readableBytes == 0)

        let info = try await server.request(.GET, base + "/info.json", token: nil)
        let infoTag = try #require(info.headers["ETag"].first)
        #expect(try await server.request(.GET, base + "/info.json", token: nil, headers: [("If-None-Match", infoTag)]).status == 304)

        let versions = try await server.request(.GET, "/files/\(bucket)?versions").json()["contents"] as? [[String: Any]]
        let versionID = try #require(versions?.first?["version_id"] as? String)
        let pinned = try await server.request(.GET, "/iiif/v3/\(bucket):\(versionID):\(Self.validatorImage)/full/max/0/default.jpg")
        #expect(pinned.status == 200)
        #expect(pinned.headers["Cache-Control"].first == "private, max-age=31536000, immutable")
    }

    /// More requests than the renderer runs and queues are refused at once with 503 and Retry-After, not piled up.
    @Test func overloadAnswers503() async throws {
        let server = try await TestServer(environment: [
            "VELLUM_IIIF_THREADS": "1", "VELLUM_IIIF_QUEUE": "1", "VELLUM_IIIF_CACHE_MB": "0",
        ])
        let bucket = try await server.createBucket()
        let png = server.dataDir + "/noise.png"
        try await Self.python("from PIL import Image; Image.effect_noise((1500, 1500), 64).convert('RGB').save('\(png)')")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/noise.png", body: bytes).status == 200)
        let replies = try await withThrowingTaskGroup(of: TestServer.Reply.self) { group in
            for angle in 0..<12 {  // different requests: nothing is shared
                group.addTask {
                    try await server.request(.GET, "/iiif/v3/\(bucket):noise.png/full/max/\(angle * 7 + 1)/default.png")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let busy = replies.filter { $0.status == 503 }
        #expect(replies.contains { $0.status == 200 })
        #expect(!busy.isEmpty)
        #expect(busy.allSatisfy { $0.headers["Retry-After"].first == "1" })
        #expect(replies.allSatisfy { $0.status == 200 || $0.status == 503 })
    }
}

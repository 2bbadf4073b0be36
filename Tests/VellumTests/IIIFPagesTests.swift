import Foundation
import IIIFGrammar
import Testing

@testable import IIIF

/// Pages of multi-page TIFFs and PDFs as IIIF images of their own (`;N`, api.md §11): sizes, pixels, manifests, and
/// hostile PDFs answered within 10 s without harm to the daemon. In every pass (the S3 one reads them from S3).
@Suite struct IIIFPagesTests {
    /// Runs Python `code` with Pillow (the IIIF validator's environment); its standard output.
    static func python(_ code: String, _ arguments: [String] = []) async throws -> String {
        let run = try await TestServer.execute(try IIIFTests.validator().python, ["-c", code] + arguments)
        #expect(run.status == 0, "\(run.errors)")
        return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The mean colour of an image answer, as "r,g,b".
    static func colour(_ bytes: [UInt8], in server: TestServer) async throws -> String {
        let path = server.dataDir + "/answer-\(UUID())"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try await python(
            "import sys; from PIL import Image, ImageStat; print(','.join(str(round(v)) for v in ImageStat.Stat(Image.open(sys.argv[1]).convert('RGB')).mean))",
            [path])
    }

    static func upload(_ server: TestServer, _ bucket: String, _ key: String, file path: String) async throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try await server.request(.PUT, "/files/\(bucket)/\(key)", body: bytes).status == 200)
    }

    @Test func eachPageOfAMultiPageTIFFIsAnImage() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let path = server.dataDir + "/pages.tif"
        _ = try await Self.python(
            """
            import sys
            from PIL import Image
            pages = [Image.new('RGB', size, colour) for size, colour in
                     [((300, 200), (200, 30, 30)), ((500, 250), (30, 200, 30)), ((320, 640), (30, 30, 200))]]
            pages[0].save(sys.argv[1], save_all=True, append_images=pages[1:], compression='tiff_deflate')
            """, [path])
        try await Self.upload(server, bucket, "scan.tif", file: path)
        let base = "/iiif/v3/\(bucket):scan.tif"
        for (suffix, size) in [("", [300, 200]), (";1", [300, 200]), (";2", [500, 250]), (";3", [320, 640])] {
            let info = try await server.request(.GET, "\(base)\(suffix)/info.json").json()
            #expect([info["width"] as? Int, info["height"] as? Int] == size, "\(suffix)")
            #expect(info["id"] as? String == server.baseURL + base + suffix)
        }
        let third = try await server.request(.GET, "\(base);3/full/max/0/default.png")
        #expect(third.status == 200)
        #expect(try await Self.colour(third.bytes, in: server) == "30,30,200")
        let tile = try await server.request(.GET, "\(base);2/0,0,256,250/128,/0/default.jpg")
        #expect(tile.status == 200)
        let green = try await Self.colour(tile.bytes, in: server).split(separator: ",").compactMap { Int($0) }
        #expect(green.count == 3 && green[1] > 180 && green[0] < 50 && green[2] < 50, "\(green)")
        // Pages the file does not have, and pages of a file that has one.
        #expect(try await server.request(.GET, "\(base);4/info.json").status == 404)
        let png = server.dataDir + "/one.png"
        _ = try await Self.python("import sys; from PIL import Image; Image.new('RGB', (40, 30)).save(sys.argv[1])", [png])
        try await Self.upload(server, bucket, "one.png", file: png)
        #expect(try await server.request(.GET, "/iiif/v3/\(bucket):one.png;1/info.json").status == 200)
        #expect(try await server.request(.GET, "/iiif/v3/\(bucket):one.png;2/info.json").status == 404)
        // The manifest shows each page as a canvas of its size, in order.
        let manifest = try await server.request(.GET, "/iiif/v3/manifest/\(bucket)")
        #expect(try await IIIFManifestTests.prezi3(manifest.text) == nil)
        let canvases = try manifest.json()["items"] as? [[String: Any]] ?? []
        #expect(
            canvases.compactMap { ($0["label"] as? [String: [String]])?["none"]?.first }
                == ["one.png", "scan.tif, page 1", "scan.tif, page 2", "scan.tif, page 3"])
        #expect(canvases.map { [$0["width"] as? Int, $0["height"] as? Int] } == [[40, 30], [300, 200], [500, 250], [320, 640]])
    }

    /// An uploaded pyramid TIFF (as libvips writes them, and Vellum) is one image: its levels, reduced-resolution
    /// directories, are not pages.
    @Test func aPyramidTIFFsLevelsAreNotPages() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let (original, pyramid) = (server.dataDir + "/big.png", server.dataDir + "/pyramid.tif")
        _ = try await Self.python(
            "import sys; from PIL import Image; Image.effect_noise((1200, 900), 64).convert('RGB').save(sys.argv[1])", [original])
        let renderer = try IIIFRenderer(
            settings: .init(maxPixels: 100_000_000, limits: Limits(maxWidth: 5000, maxHeight: 5000, maxArea: 25_000_000), threads: 1, queue: 4))
        try await renderer.buildPyramid(from: original, to: pyramid)
        #expect(try await renderer.tiffPages(pyramid, limit: 10)?.directories == [0])
        try await Self.upload(server, bucket, "levels.tif", file: pyramid)
        let info = try await server.request(.GET, "/iiif/v3/\(bucket):levels.tif/info.json").json()
        #expect([info["width"] as? Int, info["height"] as? Int] == [1200, 900])
        #expect(try await server.request(.GET, "/iiif/v3/\(bucket):levels.tif;2/info.json").status == 404)
        let canvases = try await server.request(.GET, "/iiif/v3/manifest/\(bucket)").json()["items"] as? [[String: Any]] ?? []
        #expect(canvases.count == 1)
        try await renderer.shutdown()
    }

    /// A 36-page manual from a Debian package: every page has its size and is drawn; the manifest has 36 canvases.
    @Test func everyPageOfARealPDFIsServed() async throws {
        guard let pdf = ProcessInfo.processInfo.environment["VELLUM_TEST_PDF"] else {
            throw TestError("VELLUM_TEST_PDF is not set: run the suite with ./scripts/test.sh")
        }
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        try await Self.upload(server, bucket, "manual.pdf", file: pdf)
        let base = "/iiif/v3/\(bucket):manual.pdf"
        for page in 1...36 {
            let info = try await server.request(.GET, "\(base);\(page)/info.json")
            #expect(info.status == 200, "\(page): \(info.text)")
            // US letter, 612 × 792 points, at 200 dots an inch.
            #expect([try info.json()["width"] as? Int, try info.json()["height"] as? Int] == [1700, 2200], "\(page)")
            let thumbnail = try await server.request(.GET, "\(base);\(page)/full/!256,256/0/default.jpg")
            #expect(thumbnail.status == 200 && thumbnail.header("Content-Type") == "image/jpeg", "\(page): \(thumbnail.text)")
        }
        // The page drawn whole has the size info.json gives; no page 37; no suffix is page 1.
        let whole = try await server.request(.GET, "\(base);2/full/max/0/default.png")
        #expect(IIIFTests.pngSize(whole.bytes) == [1700, 2200])
        #expect(try await server.request(.GET, "\(base);37/info.json").status == 404)
        #expect(try await server.request(.GET, "\(base)/info.json").json()["width"] as? Int == 1700)
        let manifest = try await server.request(.GET, "/iiif/v3/manifest/\(bucket)")
        #expect(try await IIIFManifestTests.prezi3(manifest.text) == nil)
        let canvases = try manifest.json()["items"] as? [[String: Any]] ?? []
        #expect(canvases.count == 36)
        #expect(canvases.last?["width"] as? Int == 1700 && canvases.last?["height"] as? Int == 2200)
        let service =
            (((canvases.dropFirst(2).first?["items"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])?.first?["body"]
            as? [String: Any])?["service"] as? [[String: Any]]
        #expect((service?.first?["id"] as? String)?.hasSuffix(":manual.pdf;3") == true)
    }

    /// Hostile PDFs: a page of 10⁷ points square, 10,000 pages, a broken content stream, a truncated file,
    /// garbage, and a page of 3 million filled rectangles (a minute of drawing). Each answer is an error (or, for a page poppler can draw, the page) within 10 s, and the daemon lives.
    @Test func hostilePDFsGetAnswersNotCrashes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let directory = server.dataDir + "/hostile"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try await Self.python(
            """
            import sys, zlib
            def pdf(pages, box='0 0 612 792', content=b'0 0 1 rg 10 10 100 100 re f', filtered=False):
                objects = [b'<< /Type /Catalog /Pages 2 0 R >>',
                           ('<< /Type /Pages /Count %d /Kids [%s] >>' % (pages, ' '.join('%d 0 R' % (4 + i) for i in range(pages)))).encode()]
                stream = b'<< /Length %d%s >>\\nstream\\n' % (len(content), b' /Filter /FlateDecode' if filtered else b'') + content + b'\\nendstream'
                objects.append(stream)
                objects += [('<< /Type /Page /Parent 2 0 R /MediaBox [%s] /Contents 3 0 R >>' % box).encode()] * pages
                out = bytearray(b'%PDF-1.4\\n')
                offsets = []
                for n, body in enumerate(objects, 1):
                    offsets.append(len(out))
                    out += b'%d 0 obj\\n' % n + body + b'\\nendobj\\n'
                xref = len(out)
                out += b'xref\\n0 %d\\n0000000000 65535 f \\n' % (len(objects) + 1)
                out += b''.join(b'%010d 00000 n \\n' % o for o in offsets)
                out += b'trailer\\n<< /Size %d /Root 1 0 R >>\\nstartxref\\n%d\\n%%%%EOF\\n' % (len(objects) + 1, xref)
                return bytes(out)
            d = sys.argv[1]
            open(d + '/huge.pdf', 'wb').write(pdf(1, box='0 0 10000000 10000000'))
            open(d + '/many.pdf', 'wb').write(pdf(10000))
            open(d + '/broken.pdf', 'wb').write(pdf(1, content=zlib.compress(b'0 0 1 rg 10 10 100 100 re f' * 100)[:40] + b'junk', filtered=True))
            open(d + '/truncated.pdf', 'wb').write(pdf(3)[:300])
            open(d + '/garbage.pdf', 'wb').write(b'%PDF-1.7\\n' + bytes(range(256)) * 64)
            slow = b''.join(b'%d %d 300 300 re f ' % (i % 500, i * 7 % 700) for i in range(3000000))
            open(d + '/slow.pdf', 'wb').write(pdf(1, content=zlib.compress(slow, 9), filtered=True))
            """, [directory])
        let pid = try #require(server.pid)
        // Each case: its info.json's status, then a thumbnail's (info.json draws the page too). A broken content
        // stream is drawn as far as poppler can (here: nothing, a white page); a page that takes a minute to draw is
        // stopped.
        let cases: [(String, Int, [Set<Int>])] = [
            ("huge.pdf", 1, [[400], [400]]), ("many.pdf", 1, [[200], [200]]), ("many.pdf", 1000, [[200], [200]]),
            ("many.pdf", 1001, [[404], [404]]), ("many.pdf", 10001, [[404], [404]]), ("broken.pdf", 1, [[200], [200, 400]]),
            ("truncated.pdf", 1, [[200, 404], [200, 400, 404]]), ("truncated.pdf", 4, [[404], [404]]),
            ("garbage.pdf", 1, [[404], [404]]), ("slow.pdf", 1, [[413], [413]]),
        ]
        for name in Set(cases.map(\.0)) { try await Self.upload(server, bucket, name, file: directory + "/" + name) }
        for (name, page, expected) in cases {
            for (path, statuses) in zip(["info.json", "full/!256,256/0/default.jpg"], expected) {
                let started = ContinuousClock.now
                let reply = try await server.request(.GET, "/iiif/v3/\(bucket):\(name);\(page)/\(path)")
                #expect(ContinuousClock.now - started < .seconds(10), "\(name);\(page)/\(path)")
                #expect(statuses.contains(reply.status), "\(name);\(page)/\(path): \(reply.status) \(reply.text)")
                if reply.status != 200 {
                    #expect(try reply.json()["status"] as? Int == reply.status, "\(reply.text)")
                }
            }
        }
        // A manifest shows 1000 canvases at most: here the broken PDF's page, then the first 999 of the 10,000.
        let manifest = try await server.request(.GET, "/iiif/v3/manifest/\(bucket)")
        let labels = (try manifest.json()["items"] as? [[String: Any]] ?? []).compactMap {
            ($0["label"] as? [String: [String]])?["none"]?.first
        }
        #expect(labels.count == 1000 && labels.first == "broken.pdf" && labels.last == "many.pdf, page 999", "\(labels.prefix(3))")
        #expect(!labels.contains { $0.hasPrefix("huge.pdf") || $0.hasPrefix("garbage.pdf") })
        #expect(try await server.request(.GET, "/iiif/v3/\(bucket):many.pdf;1001/info.json").text.contains("after the first 1000"))
        #expect(try await server.request(.GET, "/health").status == 200)
        #expect(server.pid == pid)
    }
}

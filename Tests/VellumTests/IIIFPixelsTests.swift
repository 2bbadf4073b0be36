import CVips
import Foundation
import IIIFGrammar
import Testing

@testable import IIIF

/// Vellum's own pixel code (`CPixels`) against libvips: the Lanczos-3 resampler used for thumbnails and scaled tiles
/// (shrinking against libvips' `resize` with the same filter, for every band count the renderer hands it; enlarging,
/// for which libvips uses another filter, against the ramp it must reproduce), JPEGs drawn from a pyramid's
/// tiles without libvips, and originals streamed to stay within the render budget against the same decoded whole.
@Suite struct IIIFPixelsTests {
    init() {
        _ = IIIFRenderer.started
    }

    /// A smooth test picture: each band a different blend of gradients and slow waves; with `detail`, fine
    /// stripes over it too.
    func picture(width: Int, height: Int, bands: Int, detail: Bool = false) throws -> VImage {
        var pixels = [UInt8](repeating: 0, count: width * height * bands)
        for y in 0..<height {
            for x in 0..<width {
                for b in 0..<bands {
                    let fx = Double(x) / Double(width)
                    let fy = Double(y) / Double(height)
                    var v = 128 + 100 * sin(Double(b + 1) * 3 * fx + 2 * fy) * cos(5 * fy - Double(b) * fx)
                    if detail { v = v * 0.6 + 50 * sin(Double(x) * 0.9 + Double(b)) * cos(Double(y) * 0.7) }
                    pixels[(y * width + x) * bands + b] = UInt8(max(0, min(255, v.rounded())))
                }
            }
        }
        let space = bands < 3 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB
        return try VImage.make {
            vellum_vips_from_pixels(pixels, pixels.count, Int32(width), Int32(height), Int32(bands), space, $0)
        }
    }

    func pixels(_ image: VImage) -> [UInt8] {
        var length = 0
        let data = vips_image_write_to_memory(image.pointer, &length)!
        defer { g_free(data) }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: length))
    }

    @Test(arguments: [1, 2, 3, 4])
    func matchesLibvips(bands: Int) throws {
        let cases = [(625, 500, 512, 410), (300, 200, 97, 61), (257, 9, 128, 3), (64, 64, 64, 20), (33, 17, 1, 1)]
        for (w, h, ow, oh) in cases {
            let image = try picture(width: w, height: h, bands: bands)
            let mine = try #require(try IIIFRenderer.resampled(image, width: ow, height: oh))
            #expect((mine.width, mine.height, mine.bands) == (ow, oh, bands))
            #expect(mine.interpretation == image.interpretation)
            let theirs = try image.then {
                vellum_vips_resize($0, Double(ow) / Double(w), Double(oh) / Double(h), $1)
            }.then { vellum_vips_extract($0, 0, 0, Int32(ow), Int32(oh), $1) }
            let a = pixels(mine)
            let b = pixels(theirs)
            #expect(a.count == b.count)
            let differences = zip(a, b).map { abs(Int($0) - Int($1)) }
            let mean = Double(differences.reduce(0, +)) / Double(differences.count)
            #expect(mean <= 1, "\(w)x\(h) → \(ow)x\(oh), \(bands) bands: mean difference \(mean)")
            #expect(differences.max()! <= 6, "\(w)x\(h) → \(ow)x\(oh), \(bands) bands: largest difference")
        }
    }

    /// A horizontal ramp stays a ramp: output pixel o samples the input at (o + 0.5) × in/out − 0.5.
    @Test func geometryIsPixelCentred() throws {
        let ramp = (0..<20).flatMap { _ in (0..<100).map { UInt8(2 * $0) } }
        let image = try VImage.make { vellum_vips_from_pixels(ramp, ramp.count, 100, 20, 1, VIPS_INTERPRETATION_B_W, $0) }
        for out in [250, 40] {
            let row = pixels(try #require(try IIIFRenderer.resampled(image, width: out, height: 20))).prefix(out)
            let scale = 100 / Double(out)
            for (o, value) in row.enumerated() {
                let x = (Double(o) + 0.5) * scale - 0.5
                guard x > 3 * max(scale, 1), x < 96 - 3 * max(scale, 1) else { continue }
                #expect(abs(Double(value) - 2 * x) <= 1.5, "\(out) px wide, pixel \(o): \(value), expected \(2 * x)")
            }
        }
    }

    @Test func aFlatImageStaysExactlyFlat() throws {
        let flat = [UInt8](repeating: 201, count: 333 * 111 * 3)
        let image = try VImage.make { vellum_vips_from_pixels(flat, flat.count, 333, 111, 3, VIPS_INTERPRETATION_sRGB, $0) }
        for (ow, oh) in [(100, 37), (1, 1), (700, 300)] {
            let out = try #require(try IIIFRenderer.resampled(image, width: ow, height: oh))
            #expect(Set(pixels(out)) == [201])
        }
    }

    @Test func largeAndDeepImagesAreLeftToLibvips() throws {
        #expect(try IIIFRenderer.resampled(picture(width: 2001, height: 2000, bands: 1), width: 100, height: 100) == nil)
        let deep = try picture(width: 50, height: 50, bands: 3).then {
            vellum_vips_colourspace($0, VIPS_INTERPRETATION_RGB16, $1)
        }
        #expect(try IIIFRenderer.resampled(deep, width: 10, height: 10) == nil)
    }

    /// Regions of a pyramid's pages drawn by libjpeg and `vellum_resample` are libvips' rendering of the same
    /// requests from the same pyramid, encoded by libvips at the same quality: whole pages, thumbnails, regions across tile borders, at
    /// the right and bottom edges, at the top level and reduced ones.
    @Test func pyramidJPEGsMatchLibvips() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-pixels-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (original, pyramid) = (dir + "/picture.jpg", dir + "/pyramid.tif")
        let jpeg = try picture(width: 1500, height: 1100, bands: 3, detail: true).encode { vellum_vips_jpeg($0, 95, $1, $2) }
        try Data(jpeg).write(to: URL(fileURLWithPath: original))
        let limits = Limits(maxWidth: 5000, maxHeight: 5000, maxArea: 25_000_000)
        let renderer = try IIIFRenderer(settings: .init(maxPixels: 100_000_000, limits: limits, threads: 1, queue: 4))
        try await renderer.buildPyramid(from: original, to: pyramid)
        let top = try VImage.make { vellum_vips_tiff_page(pyramid, 0, $0) }
        for (region, size) in [
            ("full", "!300,300"), ("300,200,700,500", "350,"), ("1400,1000,100,100", "full"), ("1001,700,499,400", "250,"),
            ("0,0,1500,1100", "full"), ("200,300,256,256", "200,"), ("7,9,1000,1000", "333,"),
        ] {
            let request = try ImageRequest(region: region[...], size: size[...], rotation: "0", file: "default.jpg", version: .v2)
            let plan = try request.plan(width: 1500, height: 1100, limits: limits, version: .v2)
            let level = IIIFRenderer.level(scale: plan.scale, pages: top.pages)
            let page = try VImage.make { vellum_vips_tiff_page(pyramid, Int32(level), $0) }
            let drawn = try #require(
                try IIIFRenderer.drawJPEG(pyramid, level: level, page: page, plan: plan, full: (1500, 1100), quality: 95),
                "\(region)/\(size)")
            var lossless = plan
            lossless.format = .png
            let expected = try await renderer.render(ImageSource(path: original, pyramid: pyramid), lossless)
            let decoded = try [(drawn, "drawn.jpg"), (expected, "expected.png")].map { bytes, name in
                try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
                return try VImage.make { vellum_vips_open(dir + "/" + name, $0) }
            }
            // libvips' JPEG of the lossless rendering, at the same quality
            try Data(decoded[1].encode { vellum_vips_jpeg($0, 95, $1, $2) }).write(to: URL(fileURLWithPath: dir + "/expected.jpg"))
            let (a, b) = (decoded[0], try VImage.make { vellum_vips_open(dir + "/expected.jpg", $0) })
            #expect((a.width, a.height, a.bands) == (plan.width, plan.height, 3) && b.bands == 3)
            let differences = zip(pixels(a), pixels(b)).map { abs(Int($0) - Int($1)) }
            let mean = Double(differences.reduce(0, +)) / Double(differences.count)
            #expect(mean < 0.5, "\(region)/\(size) at level \(level): mean difference \(mean)")
        }
        try await renderer.shutdown()
    }

    /// Originals over the render budget are streamed (`OriginalRead.stream`: skipping to the region, computed into
    /// memory before rotations): the same bytes as a render that decodes them whole, for regions far down,
    /// enlargements, right and other angles, mirroring, gray and bitonal; a 16-bit PNG, and a JPEG also reduced on
    /// load.
    @Test func streamedRendersMatchWholeDecodes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-stream-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let deep = try picture(width: 400, height: 4000, bands: 3, detail: true).then {
            vellum_vips_colourspace($0, VIPS_INTERPRETATION_RGB16, $1)
        }
        try Data(try deep.encode { vellum_vips_png($0, $1, $2) }).write(to: URL(fileURLWithPath: dir + "/deep.png"))
        let tall = try picture(width: 200, height: 9000, bands: 3, detail: true).encode { vellum_vips_jpeg($0, 95, $1, $2) }
        try Data(tall).write(to: URL(fileURLWithPath: dir + "/tall.jpg"))
        let limits = Limits(maxWidth: 5000, maxHeight: 5000, maxArea: 25_000_000)
        let whole = try IIIFRenderer(settings: .init(maxPixels: 100_000_000, limits: limits, threads: 1, queue: 4, renderBytes: 1 << 30))
        // deep.png: 9.6 MB decoded, 4.9 MB streamed; tall.jpg: 5.4 MB decoded (1.35 MB reduced by 2), 1.2 MB streamed
        // (0.6 MB reduced by 2).
        let cases = [
            (
                "deep.png", 8 << 20,
                [
                    ("full", "max", "0", "default.png"), ("0,3000,200,900", "100,", "0", "default.png"),
                    ("full", "90,", "90", "default.png"), ("50,500,100,100", "^300,", "0", "default.png"),
                    ("full", "!150,150", "33", "default.png"), ("0,2000,200,1000", "max", "!0", "gray.png"),
                    ("full", "100,", "180", "bitonal.png"), ("100,2900,200,1000", "60,", "270", "default.jpg"),
                ]
            ),
            (
                "tall.jpg", 1_300_000,
                [
                    ("full", "max", "0", "default.png"), ("full", "90,", "0", "default.png"),
                    ("0,5000,200,3000", "90,", "90", "default.png"), ("0,6000,200,1000", "max", "!0", "gray.png"),
                ]
            ),
        ]
        for (name, budget, requests) in cases {
            let streamed = try IIIFRenderer(
                settings: .init(maxPixels: 100_000_000, limits: limits, threads: 1, queue: 4, renderBytes: budget))
            let source = ImageSource(path: dir + "/" + name)
            let header = try await streamed.header(of: source)
            for (region, size, rotation, file) in requests {
                let request = try ImageRequest(region: region[...], size: size[...], rotation: rotation[...], file: file[...], version: .v3)
                let plan = try request.plan(width: header.width, height: header.height, limits: limits, version: .v3)
                #expect(try IIIFRenderer.read(plan, header, budget: budget) == .stream, "\(name) \(plan.canonical)")
                let expected = try await whole.render(source, plan)
                let drawn = try await streamed.render(source, plan)
                #expect(drawn == expected, "\(name) \(plan.canonical)")
            }
            try await streamed.shutdown()
        }
        try await whole.shutdown()
    }
}

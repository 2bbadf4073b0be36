import CPixels
import CVips
import Foundation
import IIIFGrammar
import NIOPosix
import Synchronization
import VellumCore

/// Renders IIIF requests with libvips, on threads of its own (`RenderLane`), in two lanes: `threads` threads for
/// light renders (pyramid tiles, thumbnails, small originals) and a quarter as many (at least one) for heavy ones,
/// which decode more than `heavyBytes` (large originals, large outputs), so that those never hold up the tiles
/// viewers read from pyramids. In each lane `queue` requests may wait; beyond that, 503. A render from an
/// original holds at most `renderBytes` of decoded pixels (`read`).
public final class IIIFRenderer: Sendable {
    public struct Settings: Sendable {
        /// Images larger than this (width × height, from the header) are not decoded: decompression bombs.
        public var maxPixels: Int
        /// The largest output, advertised in info.json and enforced.
        public var limits: Limits
        public var jpegQuality: Int
        public var threads: Int
        public var queue: Int
        /// Bytes of encoded responses kept (`ResponseCache`).
        public var cacheBytes: Int
        /// Bytes of decoded pixels one render from an original may hold (`read`).
        public var renderBytes: Int
        /// Where IIIF's temporary files go, in a directory of this process's own (`ScratchDirectory`); nil for the
        /// system's.
        public var temporaryDirectory: String?

        public init(
            maxPixels: Int, limits: Limits, jpegQuality: Int = 90, threads: Int, queue: Int, cacheBytes: Int = 256 << 20,
            renderBytes: Int = 128 << 20, temporaryDirectory: String? = nil
        ) {
            self.maxPixels = maxPixels
            self.limits = limits
            self.jpegQuality = jpegQuality
            self.threads = max(threads, 1)
            self.queue = queue
            self.cacheBytes = cacheBytes
            self.renderBytes = renderBytes
            self.temporaryDirectory = temporaryDirectory
        }
    }

    public let settings: Settings
    let light: RenderLane
    private let heavy: RenderLane
    /// Pyramids are built on one thread of their own, beside the requests.
    private let builder: NIOThreadPool
    private let pages = PageCache(capacity: 64)
    /// Headers of images already opened, by path: stored files never change (a path is a file id), so no request
    /// for a known image waits for a renderer thread before its own.
    private let headers = Mutex<[String: ImageHeader]>([:])
    /// Page lists of multi-page TIFFs and PDFs, by path (`PageList`).
    let pageLists = Mutex<[String: PageList]>([:])
    private let scratch: ScratchDirectory?
    /// Encoded responses, for the HTTP layer.
    public let cache: ResponseCache
    /// Output formats this libvips can write (jp2 depends on the build; pdf is not written).
    public let formats: [ImageFormat]

    public init(settings: Settings) throws {
        _ = Self.started
        self.settings = settings
        if let root = settings.temporaryDirectory {
            let scratch = try ScratchDirectory(in: root)
            // libvips names each temporary file after TMPDIR (the levels of a pyramid being written, ...). Foundation's
            // temporaryDirectory follows it too; nothing else in the daemon uses either.
            setenv("TMPDIR", scratch.path, 1)
            self.scratch = scratch
        } else {
            scratch = nil
        }
        cache = ResponseCache(capacity: settings.cacheBytes)
        light = RenderLane(threads: settings.threads, queue: settings.queue)
        heavy = RenderLane(threads: max(settings.threads / 4, 1), queue: settings.queue)
        builder = NIOThreadPool(numberOfThreads: 1)
        builder.start()
        formats = ImageFormat.allCases.filter { $0 != .pdf && vellum_vips_can_save(".\($0.rawValue)") != 0 }
    }

    /// Where IIIF's temporary files go: this process's `ScratchDirectory`, or the system's.
    public var temporaryDirectory: String { scratch?.path ?? FileManager.default.temporaryDirectory.path }

    public func shutdown() async throws {
        try await light.shutdown()
        try await heavy.shutdown()
        try await builder.shutdownGracefully()
    }

    /// libvips, once per process: no operation cache (each request is new work; cached operations also keep files
    /// open), one thread per operation (requests run in parallel instead), and loaders flagged untrusted blocked
    /// except JPEG 2000 (OpenJPEG), which IIIF sites use.
    static let started: Bool = {
        guard withUsedModules({ vips_init("vellum") }) == 0 else { return false }
        vips_cache_set_max(0)
        vips_cache_set_max_mem(0)
        vips_concurrency_set(1)
        vips_block_untrusted_set(1)
        vips_operation_block_set("VipsForeignLoadJp2k", 0)
        return true
    }()

    /// Runs `body` (`vips_init`) with libvips pointed at the loader modules Vellum uses, HEIF and JPEG XL: libvips
    /// loads every module it finds at start, ImageMagick's, poppler's and OpenSlide's too, whose loaders are flagged
    /// untrusted and blocked here but whose libraries would still be mapped and initialised in the daemon (5.5 MiB of
    /// its resident memory, measured; and code that hostile files should never be near). `VIPSHOME`, which
    /// `vips_init` reads once, names a directory of links to the two, removed afterwards.
    static func withUsedModules<T>(_ body: () -> T) -> T {
        let manager = FileManager.default
        // /proc files have no size: read to the end.
        guard let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map({ String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }),
            let line = maps.split(separator: "\n").first(where: { $0.contains("/libvips.so") }),
            let library = line.split(separator: " ", omittingEmptySubsequences: true).last
        else { return body() }
        let name = "vips-modules-\(vips_version(0)).\(vips_version(1))"
        // libvips looks in `$VIPSHOME/{the name of its own library's directory}/vips-modules-8.14`.
        let libraries = URL(fileURLWithPath: String(library)).deletingLastPathComponent()
        let modules = libraries.path + "/" + name
        let home = manager.temporaryDirectory.path + "/vellum-vips-\(UUID().uuidString)"
        let links = home + "/" + libraries.lastPathComponent + "/" + name
        defer { try? manager.removeItem(atPath: home) }
        guard (try? manager.createDirectory(atPath: links, withIntermediateDirectories: true)) != nil else { return body() }
        for module in ["vips-heif.so", "vips-jxl.so"] where manager.fileExists(atPath: modules + "/" + module) {
            symlink(modules + "/" + module, links + "/" + module)
        }
        let previous = getenv("VIPSHOME").map { String(cString: $0) }
        setenv("VIPSHOME", home, 1)
        defer { if let previous { setenv("VIPSHOME", previous, 1) } else { unsetenv("VIPSHOME") } }
        return body()
    }

    /// Width and height of an image, from its header (its pyramid's first page, if it has one); 400 for an image
    /// without a pyramid that has more than `maxPixels` pixels.
    public func size(of source: ImageSource) async throws -> (width: Int, height: Int) {
        let header = try await header(of: source)
        return (header.width, header.height)
    }

    func header(of source: ImageSource) async throws -> ImageHeader {
        if let known = headers.withLock({ $0[source.key] }) { return known }
        let maxPixels = settings.maxPixels
        let header = try await run(on: light, source) {
            if let pyramid = source.pyramid { return ImageHeader(pyramid: try self.pages.page(pyramid, 0)) }
            let image = try Self.open(source.path, directory: source.directory, maxPixels: maxPixels)
            return ImageHeader(original: image, loader: String(cString: vellum_vips_loader(source.path)))
        }
        headers.withLock { headers in
            if headers.count >= 10_000 { headers.removeAll() }
            headers[source.key] = header
        }
        return header
    }

    /// The encoded image `plan` describes, on the lane its cost calls for; 413 for an original too large to
    /// render within the budget (`read`).
    public func render(_ source: ImageSource, _ plan: RenderPlan) async throws -> [UInt8] {
        guard formats.contains(plan.format) else {
            throw IIIFError(.notImplemented, "Format \(plan.format.rawValue) is not supported by this server.")
        }
        let header = try await header(of: source)
        let read = source.pyramid == nil ? try Self.read(plan, header, budget: settings.renderBytes) : .whole
        let heavy = Self.cost(of: plan, header, fromPyramid: source.pyramid != nil) > Self.heavyBytes
        return try await run(on: heavy ? self.heavy : light, source) { try self.draw(source, plan, header, read) }
    }

    /// Writes the tiled pyramid TIFF of the image at `path` to `target`: 256-px tiles, each level half the previous,
    /// JPEG at the configured quality but at most 89 (deflate for images with alpha). The image is streamed, in
    /// strips, twice: checked, then converted. 400 for an image over `maxPixels`, one that fits in a tile (no
    /// pyramid needed) or does not decode, 404 for a file that is not one, 503 when memory or disk ran short.
    /// Built on the builder's thread, or, when a request waits for it (`waitedFor`: a drawn PDF page), on the heavy
    /// lane, not behind the pyramid worker's builds.
    public func buildPyramid(from path: String, to target: String, waitedFor: Bool = false) async throws {
        let settings = settings
        let build: @Sendable () throws -> Void = {
            // What the build freed goes back to the system: glibc's arenas would keep it (30 MiB after a 10000x8000
            // JPEG), for the daemon's life.
            defer { malloc_trim(0) }
            do {
                let header = try Self.open(path, maxPixels: settings.maxPixels)
                var image = try VImage.make { vellum_vips_open_sequential(path, $0) }
                guard max(image.width, image.height) > 256 else {
                    throw IIIFError(.invalidRequest, "The image fits in one tile; it needs no pyramid.")
                }
                // libvips 8.14's pyramid writer crashes the process when its input fails part way (a truncated PNG
                // or JPEG): the image is decoded once before, where a failure is an error like any other. A JPEG at
                // 1/8: libjpeg still reads every coefficient, where its errors are, but skips most of the IDCT.
                let isJPEG = ImageHeader(original: header, loader: String(cString: vellum_vips_loader(path))).isJPEG
                guard vellum_vips_decodes(path, isJPEG ? 8 : 1) == 0 else { throw VImage.Failure.last() }
                if image.is16Bit {
                    let space = image.isGray ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB
                    image = try image.then { vellum_vips_colourspace($0, space, $1) }
                }
                // Below quality 90 libvips stores tiles as YCbCr with 4:2:0 chroma, as viewers' tiles are sent (and
                // as stored tiles are then sent as they are); from 90 up, as RGB: 2.7 times the bytes.
                let quality = image.hasAlpha ? 0 : Int32(min(settings.jpegQuality, 89))
                let big: Int32 = image.width * image.height * image.bands > 3_000_000_000 ? 1 : 0
                guard vellum_vips_pyramid(image.pointer, target, quality, big) == 0 else { throw VImage.Failure.last() }
            } catch let failure as VImage.Failure {
                // A shortage (503) is tried again at the next pass; anything else is the image's, and recorded.
                if failure.isShortage { throw failure.answer(fromPyramid: false) }
                throw IIIFError(.invalidRequest, "The image could not be converted.", detail: failure.description)
            }
        }
        if waitedFor { try await heavy.run(build) } else { try await builder.runIfActive(build) }
    }

    /// Runs `work` on `lane`; a libvips failure becomes the client's answer (`VImage.Failure.answer`).
    private func run<T: Sendable>(
        on lane: RenderLane, _ source: ImageSource, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        do {
            return try await lane.run(work)
        } catch let failure as VImage.Failure {
            throw failure.answer(fromPyramid: source.pyramid != nil)
        }
    }

    /// Opens an image's header (of TIFF directory `directory`, if given); 404 for a file libvips cannot read (it is
    /// not an image this server serves) and 400 for one with more than `maxPixels` pixels (too large to decode
    /// safely).
    private static func open(_ path: String, directory: Int? = nil, maxPixels: Int) throws -> VImage {
        guard vellum_vips_loader(path) != nil else {
            vips_error_clear()
            throw IIIFError(.notFound, "The file is not an image this server can read.")
        }
        let image: VImage
        do {
            image = try VImage.make { out in
                directory.map { vellum_vips_tiff_page(path, Int32($0), out) } ?? vellum_vips_open(path, out)
            }
        } catch let failure as VImage.Failure {
            throw IIIFError(.notFound, "The file is not an image this server can read.", detail: failure.description)
        }
        guard image.width * image.height <= maxPixels else {
            throw IIIFError(.invalidRequest, "The image has \(image.width)×\(image.height) pixels, more than this server decodes (\(maxPixels)).")
        }
        return image
    }

    private func draw(_ source: ImageSource, _ plan: RenderPlan, _ header: ImageHeader, _ read: OriginalRead) throws
        -> [UInt8]
    {
        var image: VImage
        let full = (width: header.width, height: header.height)
        if let pyramid = source.pyramid {
            let top = try pages.page(pyramid, 0)
            let level = Self.level(scale: plan.scale, pages: top.pages)
            image = level == 0 ? top : try pages.page(pyramid, level)
            if let tile = Self.storedTile(plan, level: level, page: image),
                let stored = Self.bytes({ vellum_pyramid_tile(pyramid, Int32(level), Int32(tile.col), Int32(tile.row), $0, $1) })
            {
                return stored
            }
            if let drawn = try Self.drawJPEG(pyramid, level: level, page: image, plan: plan, full: full, quality: settings.jpegQuality) {
                return drawn
            }
        } else {
            let shrink = Int32(header.shrink(scale: plan.scale))
            let stream: Int32 = read == .stream ? 1 : 0
            image = try VImage.make { out in
                source.directory.map { vellum_vips_load_tiff_page(source.path, Int32($0), stream, out) }
                    ?? vellum_vips_load(source.path, shrink, stream, out)
            }
            if read == .stream {
                let top = Int32(Self.area(plan.region, of: image, full: full).y)
                guard vellum_vips_skip(image.pointer, top) == 0 else { throw VImage.Failure.last() }
            }
        }
        image = try cut(image, plan: plan, full: full)
        if read == .stream, plan.rotation.degrees != 0 { image = try image.then { vellum_vips_copy_memory($0, $1) } }
        if plan.rotation.mirror { image = try image.then { vellum_vips_mirror($0, $1) } }
        image = try rotate(image, plan)
        image = try applyQuality(image, plan.quality)
        return try encode(image, plan.format)
    }

    /// The smallest of a pyramid's `pages` levels (each half the previous) that still has every pixel an output
    /// drawn at `scale` (of the full image) needs.
    static func level(scale: Double, pages: Int) -> Int {
        var level = 0
        while level + 1 < pages, Double(1 << (level + 1)) * scale <= 1 + 1e-9 { level += 1 }
        return level
    }

    /// The pyramid tile that is exactly the plan's output, if there is one: a 256-px JPEG tile of the chosen level,
    /// whole (not at the level's right or bottom edge), unscaled, unrotated, in colour. Viewers ask for such tiles
    /// almost only; they are sent as stored (`vellum_pyramid_tile`), with no decoding or encoding.
    static func storedTile(_ plan: RenderPlan, level: Int, page: VImage) -> (col: Int, row: Int)? {
        let span = 256 << level
        let r = plan.region
        guard plan.format == .jpg, plan.quality == .default || plan.quality == .color,
            plan.rotation == Rotation(), (plan.width, plan.height) == (256, 256),
            (r.width, r.height) == (span, span), r.x % span == 0, r.y % span == 0
        else { return nil }
        let col = r.x / span
        let row = r.y / span
        guard (col + 1) * 256 <= page.width, (row + 1) * 256 <= page.height else { return nil }
        return (col, row)
    }

    /// A plain JPEG of a region of at most 4 megapixels of a JPEG pyramid page (thumbnails, scaled tiles) drawn
    /// without libvips: the tiles decoded by libjpeg, resampled by `vellum_resample`, encoded by libjpeg, all on this
    /// thread (a libvips pipeline hands its work between threads several times, a third of a thumbnail's time).
    /// The same pixels as libvips' path; nil when the request needs more (rotation, gray, bitonal, another format)
    /// or the page is not JPEG.
    static func drawJPEG(
        _ pyramid: String, level: Int, page: VImage, plan: RenderPlan, full: (width: Int, height: Int), quality: Int
    ) throws -> [UInt8]? {
        let area = area(plan.region, of: page, full: full)
        guard plan.format == .jpg, plan.quality == .default || plan.quality == .color, plan.rotation == Rotation(),
            area.width * area.height <= smallPixels
        else { return nil }
        var bands: Int32 = 0
        var pixels = [UInt8](unsafeUninitializedCapacity: area.width * area.height * 3) { buffer, count in
            let ok =
                vellum_pyramid_region(
                    pyramid, Int32(level), Int32(area.x), Int32(area.y), Int32(area.width), Int32(area.height),
                    buffer.baseAddress, &bands) == 0
            count = ok ? area.width * area.height * Int(bands) : 0
        }
        guard !pixels.isEmpty else { return nil }
        if (area.width, area.height) != (plan.width, plan.height) {
            pixels = try pixels.withUnsafeBufferPointer {
                try resample($0.baseAddress!, (area.width, area.height), bands: Int(bands), to: (plan.width, plan.height))
            }
        }
        return bytes { vellum_jpeg_encode(pixels, Int32(plan.width), Int32(plan.height), bands, Int32(quality), $0, $1) }
    }

    /// The bytes a C function writes to a malloc'd buffer (freed here), or nil when it fails.
    static func bytes(_ call: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>) -> Int32)
        -> [UInt8]?
    {
        var buffer: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard call(&buffer, &length) == 0, let buffer else { return nil }
        defer { free(buffer) }
        return [UInt8](UnsafeBufferPointer(start: buffer, count: length))
    }

    /// The pixels of `image` (the full image, or a reduced copy of it) that `region` (in full-image pixels) covers.
    static func area(_ region: PixelRect, of image: VImage, full: (width: Int, height: Int)) -> PixelRect {
        let fx = Double(image.width) / Double(full.width)
        let fy = Double(image.height) / Double(full.height)
        let x = Int((Double(region.x) * fx).rounded(.down))
        let y = Int((Double(region.y) * fy).rounded(.down))
        let right = min(Int((Double(region.x + region.width) * fx).rounded(.up)), image.width)
        let bottom = min(Int((Double(region.y + region.height) * fy).rounded(.up)), image.height)
        return PixelRect(x: x, y: y, width: right - x, height: bottom - y)
    }

    /// Images up to this many pixels are resampled whole in memory by `vellum_resample`; larger ones stream through
    /// libvips.
    static let smallPixels = 4_000_000

    /// The plan's region of `image` (the full image, or a reduced copy of it), scaled to the plan's exact size.
    private func cut(_ image: VImage, plan: RenderPlan, full: (width: Int, height: Int)) throws -> VImage {
        let area = Self.area(plan.region, of: image, full: full)
        var cut = image
        if area != PixelRect(x: 0, y: 0, width: image.width, height: image.height) {
            cut = try image.then {
                vellum_vips_extract($0, Int32(area.x), Int32(area.y), Int32(area.width), Int32(area.height), $1)
            }
        }
        if (cut.width, cut.height) != (plan.width, plan.height) {
            if let small = try Self.resampled(cut, width: plan.width, height: plan.height) { return small }
            let h = Double(plan.width) / Double(cut.width)
            let v = Double(plan.height) / Double(cut.height)
            cut = try cut.then { vellum_vips_resize($0, h, v, $1) }
            // libvips rounds the scaled size; a pixel too many is cut off, a pixel too few cannot happen.
            if cut.width > plan.width || cut.height > plan.height {
                cut = try cut.then {
                    vellum_vips_extract($0, 0, 0, Int32(min(cut.width, plan.width)), Int32(min(cut.height, plan.height)), $1)
                }
            }
        }
        return cut
    }

    /// `image` scaled with Vellum's own Lanczos-3 resampler (`vellum_resample`), for inputs of at most `smallPixels`
    /// in 8-bit bands: decoded whole, resampled, handed back to libvips. Three times faster than libvips 8.14's
    /// `resize`, whose horizontal pass has no vector code. Nil for other images, which libvips resizes as it streams
    /// them.
    static func resampled(_ image: VImage, width: Int, height: Int) throws -> VImage? {
        guard image.isByte, (1...4).contains(image.bands), image.width * image.height <= smallPixels else { return nil }
        var length = 0
        guard let pixels = vips_image_write_to_memory(image.pointer, &length) else { throw VImage.Failure.last() }
        defer { g_free(pixels) }
        let out = try resample(
            pixels.assumingMemoryBound(to: UInt8.self), (image.width, image.height), bands: image.bands, to: (width, height))
        return try VImage.make {
            vellum_vips_from_pixels(out, out.count, Int32(width), Int32(height), Int32(image.bands), image.interpretation, $0)
        }
    }

    /// `pixels` (`size`, `bands` interleaved 8-bit bands) resampled to `target` by `vellum_resample`.
    static func resample(
        _ pixels: UnsafePointer<UInt8>, _ size: (width: Int, height: Int), bands: Int, to target: (width: Int, height: Int)
    ) throws -> [UInt8] {
        let length = target.width * target.height * bands
        let out = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count =
                vellum_resample(
                    pixels, Int32(size.width), Int32(size.height), Int32(bands), buffer.baseAddress, Int32(target.width),
                    Int32(target.height)) == 0 ? length : 0
        }
        guard out.count == length else { throw VImage.Failure(description: "out of memory resampling the image") }
        return out
    }

    /// Right angles without resampling; other angles resampled into the bounding box, its corners transparent
    /// where the format has alpha, black otherwise.
    private func rotate(_ image: VImage, _ plan: RenderPlan) throws -> VImage {
        let degrees = plan.rotation.degrees
        if degrees == 0 { return image }
        if plan.rotation.isRightAngle { return try image.then { vellum_vips_rot($0, Int32(degrees), $1) } }
        var source = image
        if plan.format != .jpg, !source.hasAlpha { source = try source.then { vellum_vips_add_alpha($0, $1) } }
        let background = [Double](repeating: 0, count: source.bands)
        return try source.then { vellum_vips_rotate($0, degrees, background, Int32(background.count), $1) }
    }

    private func applyQuality(_ image: VImage, _ quality: Quality) throws -> VImage {
        switch quality {
        case .default, .color:
            return image
        case .gray:
            return image.isGray ? image : try image.then { vellum_vips_colourspace($0, VIPS_INTERPRETATION_B_W, $1) }
        case .bitonal:
            var gray = image.hasAlpha ? try image.then { vellum_vips_flatten($0, $1) } : image
            if !gray.isGray { gray = try gray.then { vellum_vips_colourspace($0, VIPS_INTERPRETATION_B_W, $1) } }
            return try gray.then { vellum_vips_threshold($0, 128, $1) }
        }
    }

    private func encode(_ image: VImage, _ format: ImageFormat) throws -> [UInt8] {
        let q = Int32(settings.jpegQuality)
        switch format {
        case .jpg:
            let opaque = image.hasAlpha ? try image.then { vellum_vips_flatten($0, $1) } : image
            return try opaque.encode { vellum_vips_jpeg($0, q, $1, $2) }
        case .png: return try image.encode { vellum_vips_png($0, $1, $2) }
        case .webp: return try image.encode { vellum_vips_webp($0, q, $1, $2) }
        case .gif: return try image.encode { vellum_vips_gif($0, $1, $2) }
        case .tif: return try image.encode { vellum_vips_tiff($0, $1, $2) }
        case .jp2: return try image.encode { vellum_vips_jp2($0, q, $1, $2) }
        case .pdf: throw IIIFError(.notImplemented, "Format pdf is not supported by this server.")
        }
    }
}

import CVips
import IIIFGrammar

/// What a render of an image costs, from its header alone: read once per image and kept (stored files never
/// change), so a request is put on its lane (`IIIFRenderer.cost`) and given its way of reading
/// (`IIIFRenderer.read`) before any thread is taken.
struct ImageHeader: Sendable {
    var width: Int
    var height: Int
    /// Bytes of one decoded pixel: 3 for 8-bit RGB, 6 for 16-bit RGB.
    var pixelBytes: Int
    /// Pages of a pyramid (levels, each half the previous); 1 for an original.
    var levels = 1
    /// A JPEG, which libjpeg can decode at 1/2, 1/4 or 1/8.
    var isJPEG = false
    /// Read with `access=sequential`, the loader streams the image a few lines at a time: JPEG, PNG and TIFF,
    /// unless interlaced (a progressive JPEG keeps every coefficient, an Adam7 PNG is decoded whole). Other loaders
    /// (WebP, GIF, HEIF, JPEG 2000) are taken to hold the whole image.
    var streams = false
    /// What the decoder holds besides the pixels: a progressive JPEG's coefficients, 2 bytes a sample at full size
    /// whatever the shrink.
    var decoderBytes = 0

    /// A pyramid, from its first page.
    init(pyramid top: VImage) {
        width = top.width
        height = top.height
        pixelBytes = Int(vellum_vips_pixel_bytes(top.pointer))
        levels = top.pages
    }

    /// An original, opened by `loader` (libvips' name for it, "VipsForeignLoadJpegFile" and so on).
    init(original image: VImage, loader: String) {
        width = image.width
        height = image.height
        pixelBytes = Int(vellum_vips_pixel_bytes(image.pointer))
        isJPEG = loader.hasPrefix("VipsForeignLoadJpeg")
        let streaming = ["VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadTiff"]
        let interlaced = vellum_vips_interlaced(image.pointer) != 0
        streams = streaming.contains { loader.hasPrefix($0) } && !interlaced
        if isJPEG, interlaced { decoderBytes = width * height * image.bands * 2 }
    }

    /// The factor a JPEG is decoded down by for output at `scale` of the full size: the largest of 8, 4 and 2 that
    /// keeps every output pixel; 1 for other formats and larger outputs.
    func shrink(scale: Double) -> Int {
        guard isJPEG, scale < 0.5 else { return 1 }
        return [8, 4, 2].first { Double($0) * scale <= 1 } ?? 1
    }

    /// Bytes of the image decoded whole at 1/`shrink`, with what its decoder holds.
    func decodedBytes(shrink: Int) -> Int {
        (width + shrink - 1) / shrink * ((height + shrink - 1) / shrink) * pixelBytes + decoderBytes
    }

    /// Bytes a streamed read of the image at 1/`shrink` holds: its lines in libvips' caches, about 1500 of them
    /// in a region, resize and encode pipeline here (measured with 10000 and 20000 pixels a line); 2048 are counted.
    func streamedBytes(shrink: Int) -> Int {
        (width + shrink - 1) / shrink * pixelBytes * min(2048, (height + shrink - 1) / shrink)
    }
}

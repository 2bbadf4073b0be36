/// Images: JPEG, PNG, GIF and WebP inline (their bytes, as stored); TIFF, JPEG 2000, and images more than 4,000
/// pixels on a side in a deep-zoom viewer (OpenSeadragon) over Vellum's own IIIF image service for the file.
public struct ImagePreviewer: Previewer {
    public let name = "image"
    public let mediaTypes: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/jp2", "image/jpx"]
    public let extensions: Set<String> = ["jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "jp2", "jpx"]

    /// Images wider or taller than this are shown in the deep-zoom viewer.
    public static let inlineSide = 4000

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let head = try FileBytes.prefix(file.path, limit: 256 * 1024)
        let size = ImageHeader.size(head)
        let inlineFormat = ImageHeader.isInline(head)
        if inlineFormat, let size, max(size.width, size.height) <= Self.inlineSide {
            let body =
                "<figure class=\"image\"><img src=\"\(HTML.escape(file.links.raw))\" width=\"\(size.width)\" height=\"\(size.height)\" "
                + "alt=\"\(HTML.escape(file.name))\"><figcaption>\(size.width) × \(size.height) pixels</figcaption></figure>"
            return PreviewPage(body: body)
        }
        guard inlineFormat || ImageHeader.isTIFF(head) || ImageHeader.isJP2(head) else {
            throw PreviewFailure("The file is not an image this server can show.")
        }
        let caption = size.map { "\($0.width) × \($0.height) pixels, " } ?? ""
        let body =
            "<div id=\"deepzoom\" class=\"deepzoom\" data-info=\"\(HTML.escape(file.links.iiif))/info.json\" "
            + "data-images=\"\(HTML.escape(file.links.assets))/openseadragon/images/\"></div>"
            + "<p class=\"caption\">\(caption)shown in tiles from the image service.</p>"
        return PreviewPage(body: body, scripts: ["openseadragon/openseadragon.js", "vellum/deepzoom.js"])
    }
}

/// The pixel size of a PNG, GIF, JPEG or WebP from its first bytes.
enum ImageHeader {
    static func isInline(_ b: [UInt8]) -> Bool {
        b.starts(with: [0x89, 0x50, 0x4E, 0x47]) || b.starts(with: Array("GIF8".utf8)) || b.starts(with: [0xFF, 0xD8, 0xFF])
            || (b.starts(with: Array("RIFF".utf8)) && b.count >= 12 && Array(b[8..<12]) == Array("WEBP".utf8))
    }

    static func isTIFF(_ b: [UInt8]) -> Bool { b.starts(with: [0x49, 0x49, 0x2A, 0x00]) || b.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) }

    static func isJP2(_ b: [UInt8]) -> Bool {
        b.starts(with: [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || b.starts(with: [0xFF, 0x4F, 0xFF, 0x51])
    }

    static func size(_ b: [UInt8]) -> (width: Int, height: Int)? {
        func be16(_ i: Int) -> Int { i + 1 < b.count ? Int(b[i]) << 8 | Int(b[i + 1]) : 0 }
        func be32(_ i: Int) -> Int { be16(i) << 16 | be16(i + 2) }
        func le16(_ i: Int) -> Int { i + 1 < b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : 0 }
        func le24(_ i: Int) -> Int { le16(i) | (i + 2 < b.count ? Int(b[i + 2]) << 16 : 0) }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]), b.count >= 24 { return (be32(16), be32(20)) }
        if b.starts(with: Array("GIF8".utf8)), b.count >= 10 { return (le16(6), le16(8)) }
        if b.starts(with: Array("RIFF".utf8)), b.count >= 30 {
            switch String(decoding: b[12..<16], as: UTF8.self) {
            case "VP8 ": return (le16(26) & 0x3FFF, le16(28) & 0x3FFF)
            case "VP8L": return (1 + (le16(21) & 0x3FFF), 1 + ((le24(22) >> 6) & 0x3FFF))
            case "VP8X": return (1 + le24(24), 1 + le24(27))
            default: return nil
            }
        }
        if b.starts(with: [0xFF, 0xD8]) {
            var i = 2
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                if marker == 0xFF {
                    i += 1
                    continue
                }
                if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return (be16(i + 7), be16(i + 5)) }
                i += 2 + be16(i + 2)
            }
        }
        return nil
    }
}

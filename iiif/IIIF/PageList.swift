import CPixels
import CVips
import Foundation
import IIIFGrammar
import NIOPosix
import Previewers

/// The pages of a multi-page TIFF or a PDF, each its own IIIF image (`;N`): how many there are and, for each of the
/// first ones, its TIFF directory or its PDF page's size in pixels. Read once per file and kept: stored files never
/// change.
public struct PageList: Sendable {
    public var count: Int
    /// TIFF directories (`vellum_tiff_pages`); empty for a PDF.
    public var directories: [Int] = []
    /// Pixel sizes of a PDF's pages drawn at `IIIFRenderer.pdfDPI`; empty for a TIFF.
    public var sizes: [(width: Int, height: Int)] = []

    /// Where page `page` (from 1) is in the lists; 404 for a page beyond the file's, or beyond those listed.
    public func index(of page: Int) throws -> Int {
        let listed = max(directories.count, sizes.count)
        guard page <= listed else {
            throw page > count
                ? IIIFError(.notFound, "The file has no page \(page): it has \(count).")
                : IIIFError(.notFound, "Pages after the first \(listed) of a file are not served; it has \(count).")
        }
        return page - 1
    }
}

extension IIIFRenderer {
    /// PDF pages are drawn at this resolution: a US letter page is 1700 × 2200 pixels.
    public static let pdfDPI = 200.0
    /// The time poppler has to read a PDF's page list, and to draw a page: together within 10 s, so that even the
    /// first request for a page of a hostile PDF is answered within 10 s.
    static let pdfListTimeLimit = Duration.seconds(3)
    static let pdfDrawTimeLimit = Duration.seconds(6)

    /// The pages of the TIFF at `path`, the first `limit` of them listed; nil when the file is not a TIFF.
    public func tiffPages(_ path: String, limit: Int) async throws -> PageList? {
        if let known = pageLists.withLock({ $0[path] }) { return known }
        let list = try await light.run { () -> PageList? in
            var directories = [Int32](repeating: 0, count: limit)
            let count = Int(vellum_tiff_pages(path, &directories, Int32(limit)))
            vips_error_clear()  // what libtiff said of a broken file, through libvips' handlers
            return count < 0 ? nil : PageList(count: count, directories: directories.prefix(min(count, limit)).map(Int.init))
        }
        if let list { keep(list, path) }
        return list
    }

    /// The pages of the PDF at `path`, the sizes of the first `limit` of them, read by `pdfinfo` in a child process
    /// with limits; 404 when poppler cannot read the file (it is not a PDF, or a broken or protected one), 413 when
    /// it takes longer than `pdfListTimeLimit`.
    public func pdfPages(_ path: String, limit: Int) async throws -> PageList {
        if let known = pageLists.withLock({ $0[path] }) { return known }
        let document: PDFDocument
        do {
            document = try await NIOThreadPool.singleton.runIfActive {
                try PDFDocument.open(path, limit: limit, deadline: .now + Self.pdfListTimeLimit)
            }
        } catch let failure as PreviewFailure {
            if failure == .tooLong || failure == .tooLarge {
                throw IIIFError(.tooLarge, "The PDF's pages could not be read within the limits.", detail: failure.reason)
            }
            throw IIIFError(.notFound, "The file is not a PDF this server can read.", detail: failure.reason)
        }
        let scale = Self.pdfDPI / 72
        let sizes = document.pages.map { page in
            (width: max(1, Int((page.width * scale).rounded())), height: max(1, Int((page.height * scale).rounded())))
        }
        let list = PageList(count: document.count, sizes: sizes)
        keep(list, path)
        return list
    }

    /// The pixel size of page `page` of a PDF whose pages are `pages`: 404 as `PageList.index`, 400 for a page with
    /// more than `maxPixels` pixels (it is not drawn).
    public func pdfPageSize(_ pages: PageList, _ page: Int) throws -> (width: Int, height: Int) {
        let size = pages.sizes[try pages.index(of: page)]
        guard size.width * size.height <= settings.maxPixels else {
            throw IIIFError(
                .invalidRequest,
                "Page \(page) of the PDF has \(size.width)×\(size.height) pixels, more than this server draws (\(settings.maxPixels)).")
        }
        return size
    }

    /// Draws page `number` of the PDF at `path` into a PNG image of exactly `size` at `target`, with `pdftocairo` in
    /// a child process with limits; 413 when it needs more time or memory than it has, 400 when it cannot be drawn.
    public func drawPDFPage(_ path: String, number: Int, size: (width: Int, height: Int), to target: String) async throws {
        let png: [UInt8]
        do {
            png = try await NIOThreadPool.singleton.runIfActive {
                try PDFDocument.page(path, number: number, size: size, deadline: .now + Self.pdfDrawTimeLimit)
            }
        } catch let failure as PreviewFailure {
            if failure == .noSuchPage { throw IIIFError(.notFound, "The PDF has no page \(number).") }
            if failure == .tooLong || failure == .tooLarge {
                throw IIIFError(.tooLarge, "Page \(number) of the PDF is too large to draw within the limits.", detail: failure.reason)
            }
            throw IIIFError(.invalidRequest, "Page \(number) of the PDF cannot be drawn.", detail: failure.reason)
        }
        guard FileManager.default.createFile(atPath: target, contents: Data(png)) else {
            throw IIIFError(.busy, "The image server is short of disk space; retry shortly.")
        }
    }

    private func keep(_ list: PageList, _ path: String) {
        pageLists.withLock { lists in
            if lists.count >= 10_000 { lists.removeAll() }
            lists[path] = list
        }
    }
}

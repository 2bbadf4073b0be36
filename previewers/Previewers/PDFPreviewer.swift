/// PDF: every page as an image rendered on the server by poppler (`pdftocairo`, in a child process with limits:
/// `ExternalTool`), loaded lazily as the reader scrolls. No PDF code reaches the browser: a PDF's JavaScript,
/// forms, launch actions and crafted fonts have nothing to run in. The page's one script is Vellum's own page
/// counter; that the page may run scripts matters too, as browsers load every `loading="lazy"` image at once in a
/// document that cannot.
public struct PDFPreviewer: Previewer {
    public let name = "pdf"
    public var needsWholeFile: Bool { true }
    public let mediaTypes: Set<String> = ["application/pdf", "application/x-pdf"]
    public let extensions: Set<String> = ["pdf"]

    /// The pages a page shows (the rest are named, not shown).
    public static let maxPages = 500

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let document = try PDFDocument.open(file.path, deadline: limits.deadline)
        let count = document.count
        let shown = document.pages.count
        var body = "<p class=\"caption\">\(count) page\(count == 1 ? "" : "s")"
        if shown < count { body += ", the first \(shown) shown" }
        body += "</p>\n<p id=\"pdf-counter\" class=\"pdf-counter\">1 / \(count)</p>\n<ol class=\"pdf\" data-pages=\"\(count)\">\n"
        for (index, page) in document.pages.enumerated() {
            let number = index + 1
            let (width, height) = page.pixels(box: PDFDocument.box)
            body += "<li class=\"pdf-page\" id=\"page-\(number)\" data-number=\"\(number)\"><img src=\"\(HTML.escape(file.links.pages))/\(number)\" "
            body += "loading=\"lazy\" width=\"\(width)\" height=\"\(height)\" alt=\"Page \(number) of \(count)\">"
            body += "<span class=\"number\">\(number) / \(count)</span></li>\n"
        }
        return PreviewPage(body: body + "</ol>", scripts: ["vellum/pdf.js"])
    }
}

/// A PDF as poppler sees it: its pages' sizes (`pdfinfo`), and a page as a PNG image (`pdftocairo`).
public struct PDFDocument: Sendable {
    public struct Page: Sendable {
        /// In points, as shown (rotation applied).
        public var width: Double
        public var height: Double

        /// The pixel size of the page's image: the page scaled to fit a `box` × `box` square.
        func pixels(box: Int) -> (Int, Int) {
            guard width > 0, height > 0 else { return (box, box) }
            let scale = Double(box) / max(width, height)
            return (max(1, Int((width * scale).rounded())), max(1, Int((height * scale).rounded())))
        }
    }

    /// How many pages the PDF has.
    public var count: Int
    /// The first pages (`PDFPreviewer.maxPages`, unless `open` was given another limit).
    public var pages: [Page]

    /// Page images fit this square, in pixels.
    public static let box = 1400

    /// Reads the page list of the PDF at `path` (the sizes of the first `limit` pages).
    public static func open(_ path: String, limit: Int = PDFPreviewer.maxPages, deadline: ContinuousClock.Instant) throws
        -> PDFDocument
    {
        let result = try ExternalTool.run(
            "/usr/bin/pdfinfo", ["-f", "1", "-l", String(limit), path], deadline: deadline, maxOutput: 1 << 20)
        guard result.status == 0 else {
            if result.errors.contains("password") { throw PreviewFailure("The PDF is protected by a password.") }
            throw PreviewFailure("The file is not a PDF this server can read.")
        }
        var count = 0
        var sizes: [Int: (Double, Double)] = [:]
        var rotations: [Int: Int] = [:]
        for line in String(decoding: result.output, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first == "Pages:", fields.count == 2, let n = Int(fields[1]) { count = n }
            // "Page    1 size:  612 x 792 pts (letter)", "Page    1 rot:   90"
            guard fields.count >= 4, fields[0] == "Page", let number = Int(fields[1]) else { continue }
            if fields[2] == "size:", fields.count >= 6, let w = Double(fields[3]), let h = Double(fields[5]) { sizes[number] = (w, h) }
            if fields[2] == "rot:", let rotation = Int(fields[3]) { rotations[number] = rotation }
        }
        guard count > 0 else { throw PreviewFailure("The PDF has no pages.") }
        let pages = (1...min(count, limit)).map { number -> Page in
            let (w, h) = sizes[number] ?? (612, 792)
            let turned = (rotations[number] ?? 0) % 180 != 0
            return Page(width: turned ? h : w, height: turned ? w : h)
        }
        return PDFDocument(count: count, pages: pages)
    }

    /// Page `number` (from 1) of the PDF at `path` as a PNG image that fits `box` × `box` pixels, or of exactly
    /// `size` pixels.
    public static func page(_ path: String, number: Int, size: (width: Int, height: Int)? = nil, deadline: ContinuousClock.Instant)
        throws -> [UInt8]
    {
        let n = String(number)
        let scale = size.map { ["-scale-to-x", String($0.width), "-scale-to-y", String($0.height)] } ?? ["-scale-to", String(box)]
        let result = try ExternalTool.run(
            "/usr/bin/pdftocairo", ["-png", "-f", n, "-l", n] + scale + ["-singlefile", path, "-"], deadline: deadline)
        guard result.status == 0, result.output.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
            if result.errors.contains("Wrong page range") { throw PreviewFailure.noSuchPage }
            throw PreviewFailure("The page could not be drawn.")
        }
        return result.output
    }
}

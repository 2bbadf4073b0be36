/// Renders one kind of file (Markdown, CSV, a ZIP's listing, …) as the body of a preview page. A previewer reads
/// the file's bytes from a local path, bounds its own work (`PreviewLimits`), and never writes anything a browser
/// could run: every text of the file reaches the page escaped (`HTML`). It throws `PreviewFailure` when the file
/// cannot be shown (damaged, too deep, too slow), and the page then says why.
public protocol Previewer: Sendable {
    /// The kind's name (`markdown`, `csv`, …): the page's class, and what tests and logs name it by.
    var name: String { get }
    /// The stored media types it previews (without parameters, lower case).
    var mediaTypes: Set<String> { get }
    /// The key extensions it previews (lower case, without the dot), when the stored type says nothing better.
    var extensions: Set<String> { get }
    /// Whether its pages are worth keeping as the file's derivative: parsing costs (a notebook, a big CSV, an
    /// archive's directory), and the body holds no link (so it serves every ticket).
    var keptAsDerivative: Bool { get }
    /// Whether it reads the whole file, never a first part (an archive's directory and a PDF's cross-reference
    /// table are at its end).
    var needsWholeFile: Bool { get }
    /// Renders the page's body. Runs off the event loop; may take a while for big files, within `limits`.
    func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage
}

extension Previewer {
    public var keptAsDerivative: Bool { false }
    public var needsWholeFile: Bool { false }
}

/// The file a previewer shows: where its bytes are, what it is called, and the URLs the page may load.
public struct PreviewFile: Sendable {
    /// A local file with the bytes.
    public var path: String
    /// The object's key (its last segment is the name shown).
    public var key: String
    public var size: Int64
    /// The stored (sniffed) media type.
    public var mimetype: String?
    public var links: PreviewLinks

    public init(path: String, key: String, size: Int64, mimetype: String?, links: PreviewLinks) {
        self.path = path
        self.key = key
        self.size = size
        self.mimetype = mimetype
        self.links = links
    }

    /// The key's last segment.
    public var name: String { key.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? key }

    /// The key's extension, lower case, without the dot ("" when none).
    public var pathExtension: String {
        let name = self.name
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}

/// URLs a preview page loads, all on the preview origin: the file's bytes (with Range), the shared assets, and a
/// IIIF image service for the file when it is an image.
public struct PreviewLinks: Sendable {
    /// The file's bytes.
    public var raw: String
    /// The folder of the static assets (`{assets}/vellum/preview.css`, `{assets}/prism/prism.js`, …).
    public var assets: String
    /// The IIIF Image API 3 base URI of the file (its `info.json` is `{iiif}/info.json`).
    public var iiif: String
    /// The page images of a PDF: `{pages}/{n}` is page n (from 1), as PNG.
    public var pages: String
    /// The file's download URL on the API origin, shown as a link (`target=_blank`), never loaded by the page.
    public var download: String?

    public init(raw: String, assets: String, iiif: String, pages: String = "", download: String? = nil) {
        self.raw = raw
        self.assets = assets
        self.iiif = iiif
        self.pages = pages
        self.download = download
    }
}

/// What a previewer may spend on one file.
public struct PreviewLimits: Sendable {
    /// Files larger than this that need parsing show their first part or a notice, never a full parse.
    public var maxBytes: Int64
    /// When the work must have ended; previewers check it in their loops.
    public var deadline: ContinuousClock.Instant

    public init(maxBytes: Int64, deadline: ContinuousClock.Instant) {
        self.maxBytes = maxBytes
        self.deadline = deadline
    }

    /// Throws once the deadline has passed.
    public func check() throws {
        if ContinuousClock.now > deadline { throw PreviewFailure("The preview took too long to make.") }
    }
}

/// A rendered page body and what it needs.
public struct PreviewPage: Sendable {
    /// HTML, every text of the file escaped.
    public var body: String
    /// Scripts the page loads, as paths under the assets folder (`prism/prism.js`). A page without scripts is
    /// served with a policy that runs none.
    public var scripts: [String]
    /// Style sheets under the assets folder, besides `vellum/preview.css`.
    public var styles: [String]

    public init(body: String, scripts: [String] = [], styles: [String] = []) {
        self.body = body
        self.scripts = scripts
        self.styles = styles
    }
}

/// The file cannot be shown: why, in a sentence for the person looking at it.
public struct PreviewFailure: Error, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    /// A page of a PDF that it does not have.
    public static let noSuchPage = PreviewFailure("The PDF has no such page.")
    /// A program that ran out of time (`ExternalTool`).
    public static let tooLong = PreviewFailure("The preview took too long to make.")
    /// A program whose output passed its cap (`ExternalTool`).
    public static let tooLarge = PreviewFailure("The preview would be too large.")
}

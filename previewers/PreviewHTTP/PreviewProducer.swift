import Foundation
import NIOPosix
import Previewers
import VellumCore

extension DerivativeKind {
    /// A preview page's body, kept for the kinds whose parsing costs (`Previewer.keptAsDerivative`).
    public static let preview = DerivativeKind(rawValue: "preview")
}

/// Makes the pages of the kinds worth keeping (notebooks, CSV files, archive listings) in the background when a
/// version commits, as the file's `preview` derivative; `PreviewController` serves a page from it without parsing
/// the file again. A file that cannot be shown keeps why, so that its page is not tried again either.
public struct PreviewProducer: DerivativeProducer {
    let registry: PreviewerRegistry
    let maxBytes: Int64
    let scratch: ScratchDirectory
    /// A page made in the background may take longer than one made while someone waits.
    static let timeLimit: Duration = .seconds(60)

    public init(settings: PreviewSettings, dataDir: String, registry: PreviewerRegistry = .standard) throws {
        self.registry = registry
        self.maxBytes = Int64(settings.maxMB) << 20
        self.scratch = try ScratchDirectory(in: dataDir + "/tmp/preview")
    }

    public var kind: DerivativeKind { .preview }
    public var name: String { "previews" }
    public var temporaryDirectory: String { scratch.path }

    func previewer(for request: DerivativeRequest) -> (any Previewer)? {
        let file = PreviewFile(
            path: "", key: request.key, size: 0, mimetype: request.mimetype, links: PreviewLinks(raw: "", assets: "", iiif: ""))
        return registry.previewer(for: file).flatMap { $0.keptAsDerivative ? $0 : nil }
    }

    public func accepts(_ request: DerivativeRequest) -> Bool { previewer(for: request) != nil }

    public func produce(from source: String, to target: String, for request: DerivativeRequest?) async throws {
        guard let request, let previewer = previewer(for: request) else {
            throw PreviewFailure("The file's page is not one that is kept.")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: source)[.size] as? Int64) ?? 0
        let file = PreviewFile(
            path: source, key: request.key, size: size, mimetype: request.mimetype, links: PreviewLinks(raw: "", assets: "", iiif: ""))
        let stored = try await StoredPreview.render(previewer, file, PreviewLimits(maxBytes: maxBytes, deadline: .now + Self.timeLimit))
        try JSONEncoder().encode(stored).write(to: URL(fileURLWithPath: target))
    }

    public func isPermanent(_ error: any Error) -> Bool { error is PreviewFailure }
}

/// A page made by a previewer: its body, or why the file cannot be shown; kept as the `preview` derivative, in JSON.
/// `format` changes when previewers change what they write, and pages kept in another format are made anew.
struct StoredPreview: Codable {
    static let currentFormat = 1
    var format = Self.currentFormat
    var kind: String
    var body: String?
    var scripts: [String] = []
    var styles: [String] = []
    var failure: String?

    var page: PreviewPage? { body.map { PreviewPage(body: $0, scripts: scripts, styles: styles) } }

    /// The page `previewer` renders of `file` (off the event loop), or why the file cannot be shown.
    static func render(_ previewer: any Previewer, _ file: PreviewFile, _ limits: PreviewLimits) async throws -> StoredPreview {
        do {
            let page = try await NIOThreadPool.singleton.runIfActive { try previewer.render(file, limits) }
            return StoredPreview(kind: previewer.name, body: page.body, scripts: page.scripts, styles: page.styles)
        } catch let failure as PreviewFailure {
            return StoredPreview(kind: previewer.name, failure: failure.reason)
        }
    }
}

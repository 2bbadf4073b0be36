/// The previewers a daemon offers, and the choice among them: by the stored (sniffed) media type first, then by the
/// key's extension.
public struct PreviewerRegistry: Sendable {
    public let previewers: [any Previewer]

    public init(_ previewers: [any Previewer]) { self.previewers = previewers }

    /// Every kind Vellum ships.
    public static let standard = PreviewerRegistry([
        MarkdownPreviewer(), NotebookPreviewer(), JSONPreviewer(), XMLPreviewer(), CSVPreviewer(), ArchivePreviewer(),
        PDFPreviewer(), ImagePreviewer(), MediaPreviewer(), TextPreviewer(),
    ])

    public func previewer(for file: PreviewFile) -> (any Previewer)? {
        // The extension decides among types that say little (text/plain, application/octet-stream, …): a README.md
        // is stored as text/plain, a .ipynb as application/json.
        let ext = file.pathExtension
        if !ext.isEmpty, let byExtension = previewers.first(where: { $0.extensions.contains(ext) }) {
            if let type = Self.bare(file.mimetype),
                Self.generic.contains(type) || type.hasPrefix("text/") || byExtension.mediaTypes.contains(type)
            {
                return byExtension
            }
        }
        if let type = Self.bare(file.mimetype), let byType = previewers.first(where: { $0.mediaTypes.contains(type) }) {
            return byType
        }
        if !ext.isEmpty { return previewers.first { $0.extensions.contains(ext) } }
        return nil
    }

    /// Types a sniffer gives to files it cannot tell apart: the extension says more (so it does for every `text/`
    /// type: a notebook with LaTeX in it is no TeX file, and any previewer shows text escaped).
    static let generic: Set<String> = [
        "text/plain", "application/octet-stream", "application/json", "application/zip", "application/gzip",
        "application/x-gzip", "text/x-c", "text/x-script.python", "text/x-python", "application/csv", "text/csv",
        "text/xml", "application/xml", "application/x-empty", "inode/x-empty",
    ]

    /// `text/plain; charset=utf-8` → `text/plain`.
    static func bare(_ mimetype: String?) -> String? {
        guard let mimetype else { return nil }
        let bare = mimetype.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpacesAndNewlines.lowercased() } ?? ""
        return bare.isEmpty ? nil : bare
    }
}

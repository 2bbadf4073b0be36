import CCmarkGFM
import Glibc

/// GitHub-flavoured Markdown through cmark-gfm (GitHub's own renderer) in its safe mode: raw HTML is dropped
/// (`<!-- raw HTML omitted -->`), and links and images whose URL could run script (`javascript:`, `vbscript:`,
/// `file:`, `data:` other than images) lose it.
public struct MarkdownPreviewer: Previewer {
    public let name = "markdown"
    public let mediaTypes: Set<String> = ["text/markdown", "text/x-markdown"]
    public let extensions: Set<String> = ["md", "markdown", "mdown", "mkd"]

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let bytes = try FileBytes.prefix(file.path, limit: limits.maxBytes)
        let (text, _) = FileBytes.text(bytes, complete: file.size <= bytes.count)
        var body = ""
        if file.size > limits.maxBytes {
            body += "<p class=\"notice\">The first \(HTML.size(limits.maxBytes)) of \(HTML.size(file.size)) is shown.</p>\n"
        }
        body += "<article class=\"markdown\">\n" + Self.html(text) + "</article>"
        return PreviewPage(body: body)
    }

    /// The safe HTML of `markdown`, with GitHub's extensions: tables, strikethrough, autolinks, task lists, and the
    /// tag filter.
    public static func html(_ markdown: String) -> String {
        cmark_gfm_core_extensions_ensure_registered()
        let options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_FOOTNOTES | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
        guard let parser = cmark_parser_new(options) else { return "" }
        defer { cmark_parser_free(parser) }
        for name in ["table", "strikethrough", "autolink", "tagfilter", "tasklist"] {
            if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
        }
        var text = markdown
        text.withUTF8 { cmark_parser_feed(parser, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, $0.count) }
        guard let document = cmark_parser_finish(parser) else { return "" }
        defer { cmark_node_free(document) }
        guard let rendered = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }
}

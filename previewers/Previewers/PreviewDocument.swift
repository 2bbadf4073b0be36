/// A whole preview page: the file's name, size and type above the previewer's body, Vellum's style sheet, and the
/// scripts the body needs (all from the assets folder of the preview origin; none inline).
public enum PreviewDocument {
    public static func html(_ page: PreviewPage, kind: String, file: PreviewFile) -> String {
        let assets = HTML.escape(file.links.assets)
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(HTML.escape(file.name))</title>
            <link rel="stylesheet" href="\(assets)/vellum/preview.css">

            """
        for style in page.styles { html += "<link rel=\"stylesheet\" href=\"\(assets)/\(HTML.escape(style))\">\n" }
        html += "</head>\n<body class=\"preview preview-\(HTML.escape(kind))\" data-kind=\"\(HTML.escape(kind))\">\n"
        html += header(file)
        html += "<main>\n" + page.body + "\n</main>\n"
        for script in page.scripts { html += "<script src=\"\(assets)/\(HTML.escape(script))\" defer></script>\n" }
        html += "</body></html>\n"
        return html
    }

    /// The page for a file no previewer shows (`reason` nil: its kind has none) or one that could not be shown.
    public static func cannotPreview(_ file: PreviewFile, reason: String?, checksums: [(String, String)] = []) -> String {
        var body = "<section class=\"cannot\">\n<h1>This file cannot be previewed</h1>\n"
        body += "<p class=\"reason\">\(HTML.escape(reason ?? "There is no previewer for files of this type."))</p>\n"
        body += "<dl>\n<dt>Name</dt><dd>\(HTML.escape(file.name))</dd>\n"
        body += "<dt>Size</dt><dd>\(HTML.size(file.size)) (\(file.size) bytes)</dd>\n"
        body += "<dt>Type</dt><dd>\(HTML.escape(file.mimetype ?? "unknown"))</dd>\n"
        for (name, value) in checksums { body += "<dt>\(HTML.escape(name))</dt><dd><code>\(HTML.escape(value))</code></dd>\n" }
        body += "</dl>\n</section>"
        return html(PreviewPage(body: body), kind: "none", file: file)
    }

    static func header(_ file: PreviewFile) -> String {
        var bar = "<header class=\"bar\"><span class=\"name\">\(HTML.escape(file.name))</span> "
        bar += "<span class=\"meta\">\(HTML.size(file.size)) · \(HTML.escape(file.mimetype ?? "unknown type"))</span>"
        if let download = file.links.download {
            bar += " <a class=\"download\" href=\"\(HTML.escape(download))\" target=\"_blank\" rel=\"noopener noreferrer\">Download</a>"
        }
        return bar + "</header>\n"
    }
}

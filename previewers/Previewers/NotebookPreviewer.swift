import Foundation

/// Jupyter notebooks (nbformat 4, and 3's first worksheet), rendered on the server: Markdown cells through the same
/// safe renderer as Markdown files, code highlighted (Prism, the kernel's language), and outputs: text, errors (ANSI
/// colours dropped), PNG, JPEG, GIF and SVG images (as images, where SVG cannot run script), Markdown. HTML outputs
/// are shown as their source, JavaScript and widget outputs as a note: nothing of the notebook runs.
public struct NotebookPreviewer: Previewer {
    public let name = "notebook"
    public var keptAsDerivative: Bool { true }
    public let mediaTypes: Set<String> = ["application/x-ipynb+json"]
    public let extensions: Set<String> = ["ipynb"]

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        guard file.size <= limits.maxBytes else {
            throw PreviewFailure("The notebook is larger than \(HTML.size(limits.maxBytes)), the most this server parses for a preview.")
        }
        let data = Data(try FileBytes.prefix(file.path, limit: limits.maxBytes))
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw PreviewFailure("The file is not a notebook: it is not a JSON object.")
        }
        let metadata = root["metadata"] as? [String: Any]
        let language =
            ((metadata?["language_info"] as? [String: Any])?["name"] as? String)
            ?? ((metadata?["kernelspec"] as? [String: Any])?["language"] as? String) ?? "python"
        let prism = TextPreviewer.languages[Self.extensionOf[language.lowercased()] ?? language.lowercased()]
        let cells: [[String: Any]]
        if let v4 = root["cells"] as? [[String: Any]] {
            cells = v4
        } else if let sheets = root["worksheets"] as? [[String: Any]], let v3 = sheets.first?["cells"] as? [[String: Any]] {
            cells = v3
        } else {
            throw PreviewFailure("The file is not a notebook: it has no cells.")
        }
        var body = "<p class=\"about\">\(cells.count) cell\(cells.count == 1 ? "" : "s"), \(HTML.escape(language)).</p>\n"
        for (n, cell) in cells.enumerated() {
            if n % 64 == 0 { try limits.check() }
            body += try self.cell(cell, language: prism?.name)
        }
        guard let prism else { return PreviewPage(body: body) }
        return PreviewPage(
            body: body, scripts: ["prism/prism.js"] + prism.components.map { "prism/components/prism-\($0).min.js" },
            styles: ["prism/themes/prism.min.css"])
    }

    static let extensionOf = ["python": "py", "r": "r", "julia": "jl", "c++": "cpp", "c": "c", "bash": "sh", "ruby": "rb", "rust": "rs"]

    func cell(_ cell: [String: Any], language: String?) throws -> String {
        let type = cell["cell_type"] as? String ?? "raw"
        let source = Self.text(cell["source"] ?? cell["input"])
        switch type {
        case "markdown":
            return "<section class=\"cell markdown\">\(MarkdownPreviewer.html(source))</section>\n"
        case "code":
            let count = (cell["execution_count"] ?? cell["prompt_number"]).flatMap { $0 as? Int }.map { "[\($0)]" } ?? "[ ]"
            let cls = language.map { " class=\"language-\($0)\"" } ?? ""
            var html = "<section class=\"cell code\"><div class=\"prompt\">In \(count):</div>"
            html += "<pre class=\"input\"><code\(cls)>\(HTML.escape(source))</code></pre>"
            for output in cell["outputs"] as? [[String: Any]] ?? [] { html += Self.output(output) }
            return html + "</section>\n"
        default:
            return "<section class=\"cell raw\"><pre>\(HTML.escape(source))</pre></section>\n"
        }
    }

    static func output(_ output: [String: Any]) -> String {
        let type = output["output_type"] as? String ?? ""
        switch type {
        case "stream":
            let name = (output["name"] as? String) == "stderr" ? "stderr" : "stdout"
            return "<pre class=\"output \(name)\">\(HTML.escape(stripANSI(text(output["text"]))))</pre>"
        case "error", "pyerr":
            let trace =
                (output["traceback"] as? [String])?.joined(separator: "\n")
                ?? "\(output["ename"] as? String ?? ""): \(output["evalue"] as? String ?? "")"
            return "<pre class=\"output error\">\(HTML.escape(stripANSI(trace)))</pre>"
        default:
            // execute_result, display_data (v4); pyout and display_data (v3, types as keys of the output itself).
            let data = output["data"] as? [String: Any] ?? output
            return "<div class=\"output\">\(rich(data))</div>"
        }
    }

    /// The best of a rich output's representations this page shows safely.
    static func rich(_ data: [String: Any]) -> String {
        for (key, type) in [("image/png", "png"), ("png", "png"), ("image/jpeg", "jpeg"), ("jpeg", "jpeg"), ("image/gif", "gif")] {
            if let base64 = data[key].map(text) {
                let clean = base64.filter { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=" }
                return "<img class=\"figure\" alt=\"output image\" src=\"data:image/\(type);base64,\(clean)\">"
            }
        }
        if let svg = (data["image/svg+xml"] ?? data["svg"]).map(text) {
            return "<img class=\"figure\" alt=\"output image\" src=\"data:image/svg+xml;base64,\(Data(svg.utf8).base64EncodedString())\">"
        }
        if let markdown = data["text/markdown"].map(text) { return MarkdownPreviewer.html(markdown) }
        let plain = (data["text/plain"] ?? data["text"]).map(text)
        var html = plain.map { "<pre>\(HTML.escape(stripANSI($0)))</pre>" } ?? ""
        if let source = (data["text/html"] ?? data["html"]).map(text) {
            if plain == nil {
                html += "<details class=\"inert\"><summary>HTML output, shown as its source</summary><pre>\(HTML.escape(source))</pre></details>"
            }
        }
        let scripts = data.keys.filter { $0.contains("javascript") || $0.contains("widget") }
        if !scripts.isEmpty {
            html += "<p class=\"inert\">A script output (\(HTML.escape(scripts.sorted().joined(separator: ", ")))) is not run in a preview.</p>"
        }
        return html
    }

    /// nbformat's multiline strings: a string or a list of strings.
    static func text(_ value: Any?) -> String {
        if let string = value as? String { return string }
        if let lines = value as? [Any] { return lines.compactMap { $0 as? String }.joined() }
        return ""
    }

    /// Text without ANSI escape sequences (the colours of tracebacks).
    static func stripANSI(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            guard c == "\u{1B}" else {
                out.append(c)
                continue
            }
            guard let next = scalars.next() else { break }
            if next == "[" {
                while let s = scalars.next(), !(s.value >= 0x40 && s.value <= 0x7E) {}
            }
        }
        return String(out)
    }
}

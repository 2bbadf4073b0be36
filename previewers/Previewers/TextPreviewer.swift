/// Plain text and source code: the first MiB, with line numbers, highlighted in the browser by Prism when the
/// language is known (by extension). HTML, SVG and XML are shown as their source, never rendered.
public struct TextPreviewer: Previewer {
    public let name = "text"
    public let mediaTypes: Set<String> = [
        "text/plain", "text/html", "image/svg+xml", "application/javascript", "text/javascript", "text/css",
        "text/x-c", "text/x-c++", "text/x-python", "text/x-script.python", "text/x-shellscript", "text/x-java",
        "text/x-ruby", "text/x-r", "text/x-tex", "text/x-fortran", "text/markdown", "application/x-yaml", "text/yaml",
        "application/toml", "application/x-sh", "application/sql", "text/x-makefile", "text/x-diff", "text/x-log",
    ]
    public var extensions: Set<String> { Set(Self.languages.keys).union(Self.plain) }

    /// How much of a file is shown.
    public static let shownBytes: Int64 = 1 << 20

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let bytes = try FileBytes.prefix(file.path, limit: Self.shownBytes)
        let (text, charset) = FileBytes.text(bytes, complete: file.size <= bytes.count)
        let language = Self.language(of: file)
        var body = ""
        if file.size > Self.shownBytes {
            body += "<p class=\"notice\">The first \(HTML.size(Self.shownBytes)) of \(HTML.size(file.size)) is shown.</p>\n"
        }
        body += Self.code(text, language: language?.name, charset: charset)
        guard let language else { return PreviewPage(body: body) }
        return PreviewPage(
            body: body, scripts: ["prism/prism.js"] + language.components.map { "prism/components/prism-\($0).min.js" },
            styles: ["prism/themes/prism.min.css"])
    }

    /// A numbered listing of `text`, in `<pre><code class="language-…">`, escaped.
    static func code(_ text: String, language: String?, charset: String) -> String {
        var lines = 0
        for byte in text.utf8 where byte == UInt8(ascii: "\n") { lines += 1 }
        if !text.hasSuffix("\n") { lines += 1 }
        var gutter = ""
        gutter.reserveCapacity(lines * 6)
        for n in 1...max(lines, 1) { gutter += "\(n)\n" }
        let cls = language.map { " class=\"language-\($0)\"" } ?? ""
        return "<div class=\"listing\" data-lines=\"\(lines)\" data-charset=\"\(charset)\">"
            + "<pre class=\"gutter\" aria-hidden=\"true\">\(gutter)</pre>"
            + "<pre class=\"code\"><code\(cls)>\(HTML.escape(text))</code></pre></div>"
    }

    /// Prism's language for the file, and the component files it needs in order (the core has markup, CSS, C-like
    /// and JavaScript).
    static func language(of file: PreviewFile) -> (name: String, components: [String])? {
        let ext = file.pathExtension
        if let known = languages[ext] { return known }
        switch file.name.lowercased() {
        case "makefile", "gnumakefile": return ("makefile", ["makefile"])
        case "dockerfile": return ("docker", ["docker"])
        default: return nil
        }
    }

    static let plain: Set<String> = ["txt", "text", "log", "csv.txt", "readme", "rst", "cfg", "conf", "out", "err", "dat"]

    static let languages: [String: (name: String, components: [String])] = [
        "py": ("python", ["python"]), "pyi": ("python", ["python"]), "r": ("r", ["r"]), "jl": ("julia", ["julia"]),
        "c": ("c", ["c"]), "h": ("c", ["c"]), "cpp": ("cpp", ["c", "cpp"]), "cc": ("cpp", ["c", "cpp"]),
        "cxx": ("cpp", ["c", "cpp"]), "hpp": ("cpp", ["c", "cpp"]), "java": ("java", ["java"]), "go": ("go", ["go"]),
        "rs": ("rust", ["rust"]), "rb": ("ruby", ["ruby"]), "sh": ("bash", ["bash"]), "bash": ("bash", ["bash"]),
        "js": ("javascript", []), "mjs": ("javascript", []), "ts": ("typescript", ["typescript"]), "css": ("css", []),
        "html": ("markup", []), "htm": ("markup", []), "xhtml": ("markup", []), "svg": ("markup", []),
        "yaml": ("yaml", ["yaml"]), "yml": ("yaml", ["yaml"]), "toml": ("toml", ["toml"]), "ini": ("ini", ["ini"]),
        "sql": ("sql", ["sql"]), "tex": ("latex", ["latex"]), "f90": ("fortran", ["fortran"]), "f": ("fortran", ["fortran"]),
        "m": ("matlab", ["matlab"]), "md": ("markdown", ["markdown"]), "diff": ("diff", ["diff"]), "patch": ("diff", ["diff"]),
    ]
}

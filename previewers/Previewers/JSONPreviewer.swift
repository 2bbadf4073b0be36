/// JSON (and JSON Lines' first document, GeoJSON, …) as a tree that folds (`<details>`, no script), strings and
/// keys escaped; numbers shown as written. Invalid JSON is a failure that says where.
public struct JSONPreviewer: Previewer {
    public let name = "json"
    public let mediaTypes: Set<String> = ["application/json", "application/geo+json", "application/ld+json", "text/json"]
    public let extensions: Set<String> = ["json", "geojson", "jsonld"]

    /// The deepest nesting shown.
    static let maxDepth = 200

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        guard file.size <= limits.maxBytes else {
            throw PreviewFailure("The file is larger than \(HTML.size(limits.maxBytes)), the most this server parses for a preview.")
        }
        let bytes = try FileBytes.prefix(file.path, limit: limits.maxBytes)
        var parser = JSONTree(bytes: bytes[...], limits: limits)
        let tree = try parser.document()
        return PreviewPage(body: "<div class=\"json\">\(tree)</div>")
    }
}

/// A recursive-descent JSON parser (RFC 8259) that writes HTML as it reads: objects and arrays as `<details open>`
/// with their members in a list.
struct JSONTree {
    let bytes: ArraySlice<UInt8>
    let limits: PreviewLimits
    var i: Int
    var out = ""
    var nodes = 0

    init(bytes: ArraySlice<UInt8>, limits: PreviewLimits) {
        self.bytes = bytes
        self.limits = limits
        self.i = bytes.startIndex
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i += 3 }
    }

    mutating func document() throws -> String {
        skipSpace()
        try value(depth: 0)
        skipSpace()
        guard i == bytes.endIndex else { throw failure("text after the end of the JSON value") }
        return out
    }

    func failure(_ what: String) -> PreviewFailure {
        var line = 1
        var column = 1
        for byte in bytes[bytes.startIndex..<min(i, bytes.endIndex)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return PreviewFailure("The file is not valid JSON: \(what) at line \(line), column \(column).")
    }

    mutating func skipSpace() {
        while i < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    mutating func value(depth: Int) throws {
        guard depth < JSONPreviewer.maxDepth else { throw failure("nesting deeper than \(JSONPreviewer.maxDepth) levels") }
        nodes += 1
        if nodes % 4096 == 0 { try limits.check() }
        guard i < bytes.endIndex else { throw failure("unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), keyed: true, depth: depth)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), keyed: false, depth: depth)
        case UInt8(ascii: "\""): out += "<span class=\"s\">\"\(HTML.escape(try string()))\"</span>"
        case UInt8(ascii: "t"): try literal("true", "b")
        case UInt8(ascii: "f"): try literal("false", "b")
        case UInt8(ascii: "n"): try literal("null", "n")
        default: try number()
        }
    }

    mutating func container(close: UInt8, keyed: Bool, depth: Int) throws {
        let open = bytes[i]
        i += 1
        skipSpace()
        if i < bytes.endIndex, bytes[i] == close {
            i += 1
            out += keyed ? "<span class=\"p\">{}</span>" : "<span class=\"p\">[]</span>"
            return
        }
        let start = out.utf8.count
        out += "<details open><summary><span class=\"p\">\(Character(Unicode.Scalar(open)))</span><span class=\"count\"></span></summary><ul>"
        var count = 0
        while true {
            out += "<li>"
            if keyed {
                guard i < bytes.endIndex, bytes[i] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                out += "<span class=\"k\">\"\(HTML.escape(try string()))\"</span>: "
                skipSpace()
                guard i < bytes.endIndex, bytes[i] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                i += 1
                skipSpace()
            }
            try value(depth: depth + 1)
            count += 1
            out += "</li>"
            skipSpace()
            guard i < bytes.endIndex else { throw failure("unexpected end") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipSpace()
                continue
            }
            guard bytes[i] == close else { throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            i += 1
            break
        }
        out += "</ul><span class=\"p\">\(Character(Unicode.Scalar(close)))</span></details>"
        // The member count in the summary, for a folded node.
        let label = keyed ? "\(count) member\(count == 1 ? "" : "s")" : "\(count) item\(count == 1 ? "" : "s")"
        let marker = "<span class=\"count\"></span>"
        if let range = out.utf8.index(out.utf8.startIndex, offsetBy: start, limitedBy: out.utf8.endIndex).flatMap({ from in
            out[from...].range(of: marker)
        }) {
            out.replaceSubrange(range, with: "<span class=\"count\">\(label)</span>")
        }
    }

    mutating func literal(_ word: String, _ cls: String) throws {
        guard bytes[i...].starts(with: word.utf8) else { throw failure("unexpected character") }
        i += word.utf8.count
        out += "<span class=\"\(cls)\">\(word)</span>"
    }

    mutating func number() throws {
        let start = i
        var j = i
        let bytes = self.bytes
        func digits() -> Int {
            let from = j
            while j < bytes.endIndex, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
            return j - from
        }
        if j < bytes.endIndex, bytes[j] == UInt8(ascii: "-") { j += 1 }
        let whole = bytes[j...].first
        let integer = digits()
        guard integer > 0, !(whole == UInt8(ascii: "0") && integer > 1) else { throw failure("unexpected character") }
        if j < bytes.endIndex, bytes[j] == UInt8(ascii: ".") {
            j += 1
            guard digits() > 0 else { throw failure("a digit expected") }
        }
        if j < bytes.endIndex, bytes[j] == UInt8(ascii: "e") || bytes[j] == UInt8(ascii: "E") {
            j += 1
            if j < bytes.endIndex, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            guard digits() > 0 else { throw failure("a digit expected") }
        }
        i = j
        out += "<span class=\"d\">\(String(decoding: bytes[start..<i], as: UTF8.self))</span>"
    }

    /// A string's value (escapes resolved), the opening quote at `i`.
    mutating func string() throws -> String {
        i += 1
        var scalars = String.UnicodeScalarView()
        var run = i
        while true {
            guard i < bytes.endIndex else { throw failure("unterminated string") }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw failure("a control character in a string") }
            if byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            scalars.append(contentsOf: String(decoding: bytes[run..<i], as: UTF8.self).unicodeScalars)
            i += 1
            guard i < bytes.endIndex else { throw failure("unterminated string") }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var unit = try hex4()
                if (0xD800..<0xDC00).contains(unit), bytes[i...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) { unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00) }
                }
                scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
            default: throw failure("an unknown escape")
            }
            run = i
        }
        scalars.append(contentsOf: String(decoding: bytes[run..<i], as: UTF8.self).unicodeScalars)
        i += 1
        return String(scalars)
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.endIndex else { throw failure("a bad \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[i..<i + 4] {
            guard let digit = Int(String(Unicode.Scalar(byte)), radix: 16) else { throw failure("a bad \\u escape") }
            value = value << 4 | UInt32(digit)
        }
        i += 4
        return value
    }
}

import Foundation

/// CSV and TSV as a table of the first 1,000 rows, parsed on the server (RFC 4180 quoting, fields over several
/// lines), with the delimiter and the character set detected. The first row is taken as the header.
public struct CSVPreviewer: Previewer {
    public let name = "csv"
    public var keptAsDerivative: Bool { true }
    public let mediaTypes: Set<String> = ["text/csv", "text/tab-separated-values", "application/csv"]
    public let extensions: Set<String> = ["csv", "tsv", "tab", "psv"]

    /// Rows shown below the header.
    public static let shownRows = 1000
    /// The most read to find them.
    static let readBytes: Int64 = 16 << 20

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let limit = min(Self.readBytes, limits.maxBytes)
        let bytes = try FileBytes.prefix(file.path, limit: limit)
        let (text, charset) = FileBytes.text(bytes, complete: file.size <= bytes.count)
        let truncated = file.size > bytes.count
        let delimiter = CSVDialect.delimiter(of: text, preferTab: ["tsv", "tab"].contains(file.pathExtension))
        // The header, the rows shown, and one more that says there are more.
        var rows = try CSVDialect.rows(text, delimiter: delimiter, limit: Self.shownRows + 2, limits: limits)
        let more = rows.count > Self.shownRows + 1 || truncated
        if rows.count > Self.shownRows + 1 { rows.removeLast(rows.count - Self.shownRows - 1) }
        // The last row of a cut prefix may itself be cut.
        if truncated && rows.count > 1 && rows.count <= Self.shownRows { rows.removeLast() }
        let shown = max(rows.count - 1, 0)
        let columns = rows.map(\.count).max() ?? 0
        let name = delimiter == "\t" ? "tab" : String(delimiter)
        var body = "<p class=\"about\" data-delimiter=\"\(HTML.escape(name))\" data-charset=\"\(charset)\">"
        body += "\(shown) row\(shown == 1 ? "" : "s")\(more ? " shown (the first of the file)" : "") below the header, "
        body += "\(columns) column\(columns == 1 ? "" : "s"); delimiter \(delimiter == "\t" ? "tab" : "“\(HTML.escape(name))”"), \(charset).</p>\n"
        body += "<div class=\"table\"><table class=\"csv\">\n"
        for (n, row) in rows.enumerated() {
            let cell = n == 0 ? "th" : "td"
            body += "<tr>"
            for value in row {
                let formula = value.first.map { "=+-@".contains($0) } ?? false
                body += formula ? "<\(cell) class=\"formula\">" : "<\(cell)>"
                body += HTML.escape(value) + "</\(cell)>"
            }
            for _ in row.count..<columns { body += "<\(cell)></\(cell)>" }
            body += "</tr>\n"
            if n == 0 { body = body.replacingLastRow(wrappedIn: "thead") }
        }
        body += "</table></div>"
        return PreviewPage(body: body)
    }
}

extension String {
    /// The last `<tr>…</tr>\n` wrapped in `<thead>` (the header row).
    fileprivate func replacingLastRow(wrappedIn tag: String) -> String {
        guard let start = range(of: "<tr>", options: .backwards)?.lowerBound else { return self }
        return self[..<start] + "<\(tag)>" + self[start...].dropLast() + "</\(tag)>\n"
    }
}

/// Delimiter detection and RFC 4180 parsing.
enum CSVDialect {
    static let candidates: [Character] = [",", ";", "\t", "|"]

    /// The candidate that splits the first lines into the most rows of one width above 1 (ties to the comma).
    static func delimiter(of text: String, preferTab: Bool) -> Character {
        let sample = String(text.prefix(64 * 1024))
        var best: (Character, Int) = (preferTab ? "\t" : ",", 0)
        for candidate in candidates {
            guard let rows = try? rows(sample, delimiter: candidate, limit: 50, limits: nil), rows.count > 0 else { continue }
            var widths: [Int: Int] = [:]
            for row in rows.prefix(rows.count > 1 ? rows.count - 1 : 1) { widths[row.count, default: 0] += 1 }
            guard let (width, count) = widths.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }), width > 1 else { continue }
            let score = count * 1000 + width
            if score > best.1 || (score == best.1 && candidate == (preferTab ? "\t" : ",")) { best = (candidate, score) }
        }
        return best.0
    }

    /// Up to `limit` rows of `text`. Quotes are `"`, doubled inside a quoted field; CR LF, LF and CR end rows; a
    /// final empty line is no row.
    static func rows(_ text: String, delimiter: Character, limit: Int, limits: PreviewLimits?) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var fieldStarted = false
        let d = delimiter.unicodeScalars.first!
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var count = 0
        func endRow() {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
            fieldStarted = false
        }
        while let c = pending ?? scalars.next() {
            pending = nil
            count += 1
            if count % 65536 == 0, let limits { try limits.check() }
            if quoted {
                if c == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            afterQuote = true
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case d:
                row.append(field)
                field = ""
                fieldStarted = false
                afterQuote = false
            case "\r", "\n":
                if c == "\r", let next = scalars.next(), next != "\n" { pending = next }
                endRow()
                afterQuote = false
                if rows.count >= limit { return rows }
            case "\"" where !fieldStarted && !afterQuote:
                quoted = true
                fieldStarted = true
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if fieldStarted || !row.isEmpty || afterQuote { endRow() }
        return rows
    }
}

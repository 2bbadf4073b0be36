import SearchQuery

/// SQLite FTS5's side of a search (api.md §9): a text leaf of a `Query` as an FTS5 `MATCH` expression that FTS5 reads
/// as text, whatever the user typed. Every word is a quoted FTS5 string (quotes doubled), so FTS5's own operators,
/// column filters, `NEAR`, `^` and punctuation (the `.` of a DOI, which unquoted is a syntax error) are inert; the
/// tokenizer (`unicode61 remove_diacritics 2`, for case and accents) splits it as it splits the records.
enum SearchFTS5 {
    /// The full-text columns, in the order of the `fts5` table.
    static let columns = ["title", "creators", "description", "keywords"]

    /// The tokenizer, the same for the records and the queries.
    static let tokenizer = "unicode61 remove_diacritics 2"

    /// `{title creators …} : "word"`, `… : "sea level"`, `… : "ocea" *`; `field` nil searches every column.
    static func match(field: String?, _ text: Text) -> String {
        let scope = "{" + (field.map { [$0] } ?? columns).joined(separator: " ") + "}"
        switch text {
        case .word(let value), .phrase(let value): return "\(scope) : \(quoted(value))"
        case .prefix(let stem): return "\(scope) : \(quoted(stem)) *"
        }
    }

    /// An FTS5 string: in double quotes, a quote doubled, a NUL (which would end the text) left out.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars where scalar != "\0" {
            if scalar == "\"" { out.unicodeScalars.append("\"") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }
}

import SearchQuery

/// Marks a query's words in a hit's title and description (api.md §9 `"highlight"`), in Swift so that every backend
/// highlights alike: the texts are split into words as the index splits them (letters and digits), folded as the
/// index folds them, and a word is marked when the query has it (as a word, or in a phrase) or starts with one of
/// its prefixes. The result is HTML: the text escaped, the words in `<mark>`.
public struct SearchHighlighter: Sendable {
    let words: Set<String>
    let prefixes: [String]

    /// The words of the query's text leaves that are not negated and search the title or description (or every field).
    public init(_ query: Query) {
        var words = Set<String>()
        var prefixes: [String] = []
        func collect(_ query: Query) {
            switch query {
            case .text(let field, let text) where field == nil || field == "title" || field == "description":
                switch text {
                case .word(let value), .phrase(let value): words.formUnion(Self.tokens(value).map { SearchDocument.folded(String($0)) })
                case .prefix(let stem):
                    let tokens = Self.tokens(stem).map { SearchDocument.folded(String($0)) }
                    words.formUnion(tokens.dropLast())
                    if let last = tokens.last { prefixes.append(last) }
                }
            case .and(let parts), .or(let parts): parts.forEach(collect)
            default: break
            }
        }
        collect(query)
        self.words = words
        self.prefixes = prefixes
    }

    public var isEmpty: Bool { words.isEmpty && prefixes.isEmpty }

    /// The text, escaped, its matching words marked; nil when none matches.
    public func highlight(_ text: String) -> String? {
        var out = ""
        var marked = false
        var position = text.startIndex
        for token in Self.tokens(text) {
            out += Self.escaped(text[position..<token.startIndex])
            let folded = SearchDocument.folded(String(token))
            if words.contains(folded) || prefixes.contains(where: { folded.hasPrefix($0) }) {
                out += "<mark>" + Self.escaped(token) + "</mark>"
                marked = true
            } else {
                out += Self.escaped(token)
            }
            position = token.endIndex
        }
        out += Self.escaped(text[position...])
        return marked ? out : nil
    }

    /// Up to about `length` characters of a long text around its first matching word, highlighted; nil when none
    /// matches.
    public func snippet(_ text: String, length: Int = 240) -> String? {
        guard text.count > length else { return highlight(text) }
        guard
            let first = Self.tokens(text).first(where: { token in
                let folded = SearchDocument.folded(String(token))
                return words.contains(folded) || prefixes.contains { folded.hasPrefix($0) }
            })
        else { return nil }
        var start = text.index(first.startIndex, offsetBy: -min(60, text.distance(from: text.startIndex, to: first.startIndex)))
        while start > text.startIndex, !text[text.index(before: start)].isWhitespace { start = text.index(before: start) }
        var end = text.index(start, offsetBy: min(length, text.distance(from: start, to: text.endIndex)))
        while end < text.endIndex, !text[end].isWhitespace { end = text.index(after: end) }
        let body = highlight(String(text[start..<end])) ?? Self.escaped(text[start..<end])
        return (start > text.startIndex ? "…" : "") + body + (end < text.endIndex ? "…" : "")
    }

    /// The words of a text: runs of letters and digits.
    static func tokens(_ text: String) -> [Substring] {
        var tokens: [Substring] = []
        var start: String.Index?
        for index in text.indices {
            let c = text[index]
            if c.isLetter || c.isNumber {
                if start == nil { start = index }
            } else if let begun = start {
                tokens.append(text[begun..<index])
                start = nil
            }
        }
        if let begun = start { tokens.append(text[begun...]) }
        return tokens
    }

    static func escaped(_ text: Substring) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

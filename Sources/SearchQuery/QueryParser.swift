/// Reads api.md §9's query language into a `Query`: words (all must match), `"phrases"`, `field:value`,
/// `field:(…)`, `AND`/`&&`, `OR`/`||`, `NOT`/`!`, `+`/`-`, parentheses, date ranges (`[a TO b]`, `{a TO b}`, `*` for
/// an open end, `>=2020`), a trailing `*` for a prefix, `*` alone for everything. A bare DOI, URL or ORCID iD is a
/// phrase, so it can be pasted as it is. Words with no letter or digit are left out. Anything else that cannot be
/// read throws a `QuerySyntaxError` naming the position; nothing traps, however hostile the input.
public struct QueryParser: Sendable {
    public let fields: QueryFields
    /// Longer queries are refused (characters).
    public static let maximumLength = 4096
    /// Parentheses and negations nested deeper are refused.
    public static let maximumDepth = 32
    /// Queries with more terms are refused.
    public static let maximumTerms = 256

    public init(fields: QueryFields = .records) {
        self.fields = fields
    }

    public func parse(_ text: String) throws(QuerySyntaxError) -> Query {
        var reader = QueryReader(text: Array(text), fields: fields)
        guard reader.characters.count <= Self.maximumLength else {
            throw QuerySyntaxError(position: Self.maximumLength + 1, reason: "queries are at most \(Self.maximumLength) characters")
        }
        reader.skipSpaces()
        if reader.atEnd { return .all }
        let query = try reader.disjunction(field: nil)
        reader.skipSpaces()
        if !reader.atEnd {
            throw reader.error("')' without a matching '('")
        }
        return query.map(Self.simplified) ?? .all
    }

    /// Nested `and`s and `or`s flattened, `*` absorbed.
    static func simplified(_ query: Query) -> Query {
        switch query {
        case .and(let parts):
            let flat = parts.map(simplified).flatMap { part -> [Query] in if case .and(let inner) = part { inner } else { [part] } }
                .filter { $0 != .all }
            return flat.isEmpty ? .all : flat.count == 1 ? flat[0] : .and(flat)
        case .or(let parts):
            let flat = parts.map(simplified).flatMap { part -> [Query] in if case .or(let inner) = part { inner } else { [part] } }
            return flat.contains(.all) ? .all : flat.count == 1 ? flat[0] : .or(flat)
        case .not(let inner): return .not(simplified(inner))
        default: return query
        }
    }
}

/// The parser's state: the characters and where it is. Each rule returns nil for what is left out (a word of
/// punctuation only).
struct QueryReader {
    let characters: [Character]
    let fields: QueryFields
    var index = 0
    var depth = 0
    var terms = 0

    init(text: [Character], fields: QueryFields) {
        characters = text
        self.fields = fields
    }

    var atEnd: Bool { index >= characters.count }
    var current: Character? { atEnd ? nil : characters[index] }

    func error(_ reason: String, at position: Int? = nil) -> QuerySyntaxError {
        QuerySyntaxError(position: (position ?? index) + 1, reason: reason)
    }

    mutating func skipSpaces() {
        while let c = current, c.isWhitespace || c.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }) {
            index += 1
        }
    }

    /// Whether the text here is `word` standing alone (an operator), not the start of a longer word.
    func isKeyword(_ word: String) -> Bool {
        let letters = Array(word)
        guard index + letters.count <= characters.count, Array(characters[index..<index + letters.count]) == letters else { return false }
        let next = index + letters.count
        return next == characters.count || characters[next].isWhitespace || "()\"[]{}".contains(characters[next])
    }

    mutating func consumeKeyword(_ words: String...) -> Bool {
        for word in words where isKeyword(word) || (word.first?.isLetter == false && hasPrefix(word)) {
            index += word.count
            return true
        }
        return false
    }

    func hasPrefix(_ text: String) -> Bool {
        let letters = Array(text)
        return index + letters.count <= characters.count && Array(characters[index..<index + letters.count]) == letters
    }

    // MARK: rules

    mutating func disjunction(field: String?) throws(QuerySyntaxError) -> Query? {
        var parts = [try conjunction(field: field)]
        while true {
            skipSpaces()
            let position = index
            guard consumeKeyword("OR", "||") else { break }
            skipSpaces()
            if atEnd || current == ")" { throw error("OR needs a term after it", at: position) }
            parts.append(try conjunction(field: field))
        }
        let kept = parts.compactMap { $0 }
        return kept.isEmpty ? nil : kept.count == 1 ? kept[0] : .or(kept)
    }

    mutating func conjunction(field: String?) throws(QuerySyntaxError) -> Query? {
        var parts = [try unary(field: field)]
        while true {
            skipSpaces()
            if atEnd || current == ")" || isKeyword("OR") || hasPrefix("||") { break }
            let position = index
            if consumeKeyword("AND", "&&") {
                skipSpaces()
                if atEnd || current == ")" || isKeyword("OR") || hasPrefix("||") { throw error("AND needs a term after it", at: position) }
            }
            parts.append(try unary(field: field))
        }
        let kept = parts.compactMap { $0 }
        return kept.isEmpty ? nil : kept.count == 1 ? kept[0] : .and(kept)
    }

    mutating func unary(field: String?) throws(QuerySyntaxError) -> Query? {
        skipSpaces()
        let position = index
        if atEnd { throw error("a term is missing at the end") }
        if current == ")" { throw error("a term is missing before ')'") }
        for word in ["AND", "OR", "&&", "||"] where isKeyword(word) || (word.first == "&" || word.first == "|") && hasPrefix(word) {
            throw error("\(word) needs a term before it")
        }
        let negated: Bool
        if consumeKeyword("NOT") || (current == "!" && !hasPrefix("!=")) && advance() {
            negated = true
        } else if let sign = current, sign == "-" || sign == "+", index + 1 < characters.count, !characters[index + 1].isWhitespace {
            index += 1
            negated = sign == "-"
        } else {
            return try primary(field: field)
        }
        depth += 1
        defer { depth -= 1 }
        guard depth <= QueryParser.maximumDepth else { throw error("negations are nested too deeply", at: position) }
        skipSpaces()
        if atEnd || current == ")" { throw error("a term is missing after the operator", at: position) }
        let operand = try unary(field: field)
        return negated ? operand.map(Query.not) : operand
    }

    mutating func advance() -> Bool {
        index += 1
        return true
    }

    mutating func primary(field: String?) throws(QuerySyntaxError) -> Query? {
        let position = index
        switch current {
        case "(":
            return try group(field: field)
        case "\"":
            return try leaf(field: field, .phrase, try quoted(), at: position)
        default:
            if let identifier = identifier() { return try leaf(field: field, .phrase, identifier, at: position) }
            if let name = fieldName() {
                index += name.count + 1
                return try value(of: name, at: position)
            }
            return try leaf(field: field, .word, word(), at: position)
        }
    }

    mutating func group(field: String?) throws(QuerySyntaxError) -> Query? {
        let position = index
        depth += 1
        defer { depth -= 1 }
        guard depth <= QueryParser.maximumDepth else { throw error("parentheses are nested too deeply") }
        index += 1
        skipSpaces()
        if current == ")" { throw error("nothing between the parentheses", at: position) }
        if atEnd { throw error("'(' without a matching ')'", at: position) }
        let inner = try disjunction(field: field)
        skipSpaces()
        guard current == ")" else { throw error("'(' without a matching ')'", at: position) }
        index += 1
        return inner
    }

    /// `"…"` (a `\` takes the next character as it is); the text between the quotes.
    mutating func quoted() throws(QuerySyntaxError) -> String {
        let position = index
        index += 1
        var text = ""
        while let c = current, c != "\"" {
            if c == "\\", index + 1 < characters.count {
                index += 1
            }
            text.append(characters[index])
            index += 1
        }
        guard current == "\"" else { throw error("a quote without its closing quote", at: position) }
        index += 1
        return text
    }

    /// A word: up to a space, a parenthesis or a quote.
    mutating func word() -> String {
        let start = index
        while let c = current, !c.isWhitespace, c != "(", c != ")", c != "\"" { index += 1 }
        return String(characters[start..<index])
    }

    /// A field name here (letters, digits, `_`, `.`), followed by `:` and then a value.
    func fieldName() -> String? {
        var end = index
        while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" || characters[end] == "." {
            end += 1
        }
        guard end > index, end + 1 < characters.count, characters[end] == ":", !characters[end + 1].isWhitespace else { return nil }
        return String(characters[index..<end])
    }

    /// A DOI (`10.NNNN/…`), a URL (`http(s)://…`) or an ORCID iD here, read to the next space (closing parentheses
    /// it does not open left out).
    mutating func identifier() -> String? {
        var end = index
        while end < characters.count, !characters[end].isWhitespace { end += 1 }
        var text = Array(characters[index..<end])
        guard Self.isDOI(text) || Self.isURL(text) || Self.isORCID(text) else { return nil }
        while text.last == ")", text.filter({ $0 == ")" }).count > text.filter({ $0 == "(" }).count { text.removeLast() }
        guard Self.isDOI(text) || Self.isURL(text) || Self.isORCID(text) else { return nil }
        index += text.count
        return String(text)
    }

    static func isDOI(_ text: [Character]) -> Bool {
        guard text.count > 8, text[0] == "1", text[1] == "0", text[2] == "." else { return false }
        let digits = text[3...].prefix { $0.isASCII && $0.isNumber }.count
        return (4...9).contains(digits) && text.count > 4 + digits && text[3 + digits] == "/"
    }

    static func isURL(_ text: [Character]) -> Bool {
        let lower = String(text.prefix(8)).lowercased()
        return (lower.hasPrefix("http://") && text.count > 7) || (lower.hasPrefix("https://") && text.count > 8)
    }

    static func isORCID(_ text: [Character]) -> Bool {
        guard text.count == 19 || (text.count > 19 && text[19] == ")") else { return false }
        return text.prefix(19).enumerated().allSatisfy { n, c in
            switch n {
            case 4, 9, 14: c == "-"
            case 18: (c.isASCII && c.isNumber) || c == "X"
            default: c.isASCII && c.isNumber
            }
        }
    }

    // MARK: field values

    mutating func value(of name: String, at position: Int) throws(QuerySyntaxError) -> Query? {
        guard let kind = fields.kind(of: name) else {
            throw error("unknown field '\(name)' (fields: \(fields.listed))", at: position)
        }
        let start = index
        switch current {
        case "(":
            return try group(field: name)
        case "[", "{":
            guard kind == .date else { throw error("ranges apply to dates only, not to '\(name)'", at: start) }
            return try range(of: name)
        case ">", "<":
            guard kind == .date else { throw error("comparisons apply to dates only, not to '\(name)'", at: start) }
            return try comparison(of: name)
        case "\"":
            return try leaf(field: name, .phrase, try quoted(), at: start)
        default:
            if let identifier = identifier() { return try leaf(field: name, .phrase, identifier, at: start) }
            return try leaf(field: name, .word, word(), at: start)
        }
    }

    enum Form { case word, phrase }

    /// A term in `field` (nil: every text field), as its field's kind reads it.
    mutating func leaf(field: String?, _ form: Form, _ text: String, at position: Int) throws(QuerySyntaxError) -> Query? {
        terms += 1
        guard terms <= QueryParser.maximumTerms else { throw error("queries have at most \(QueryParser.maximumTerms) terms", at: position) }
        switch field.flatMap(fields.kind) ?? .text {
        case .exact:
            guard !text.isEmpty else { throw error("an empty value for '\(field ?? "")'", at: position) }
            return .exact(field: field ?? "", value: text)
        case .date:
            guard let period = DatePeriod(text) else {
                throw error("'\(text)' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", at: position)
            }
            return .dates(field: field ?? "", DateRange(from: period.first, until: period.next))
        case .text:
            if form == .word, text == "*" { return .all }
            let hasLetters = text.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
            guard hasLetters else { return nil }
            if form == .word, text.hasSuffix("*") {
                let stem = String(text.reversed().drop { $0 == "*" }.reversed())
                guard stem.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) else { return nil }
                return .text(field: field, .prefix(stem))
            }
            return .text(field: field, form == .phrase ? .phrase(text) : .word(text))
        }
    }

    /// `[a TO b]`, `{a TO b}` (or mixed), `*` for an open end.
    mutating func range(of name: String) throws(QuerySyntaxError) -> Query {
        let position = index
        let inclusiveLower = current == "["
        index += 1
        skipSpaces()
        let lower = try bound(at: index)
        skipSpaces()
        guard consumeKeyword("TO") else { throw error("a range needs TO between its bounds") }
        skipSpaces()
        let upper = try bound(at: index)
        skipSpaces()
        guard let close = current, close == "]" || close == "}" else { throw error("a range without its closing ']' or '}'", at: position) }
        index += 1
        terms += 1
        return .dates(
            field: name,
            DateRange(
                from: lower.map { inclusiveLower ? $0.first : $0.next } ?? nil,
                until: upper.map { close == "]" ? $0.next : $0.first } ?? nil))
    }

    /// A range's bound: a date period, or nil for `*`.
    mutating func bound(at position: Int) throws(QuerySyntaxError) -> DatePeriod? {
        let start = index
        while let c = current, !c.isWhitespace, c != "]", c != "}" { index += 1 }
        let text = String(characters[start..<index])
        if text == "*" { return nil }
        guard !text.isEmpty else { throw error("a range bound is missing", at: position) }
        guard let period = DatePeriod(text) else { throw error("'\(text)' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", at: position) }
        return period
    }

    /// `>2020`, `>=2020-06`, `<2021`, `<=2020-06-30`.
    mutating func comparison(of name: String) throws(QuerySyntaxError) -> Query {
        let greater = current == ">"
        index += 1
        let orEqual = current == "="
        if orEqual { index += 1 }
        let position = index
        let text = word()
        guard let period = DatePeriod(text) else { throw error("'\(text)' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", at: position) }
        terms += 1
        switch (greater, orEqual) {
        case (true, true): return .dates(field: name, DateRange(from: period.first, until: nil))
        case (true, false): return .dates(field: name, DateRange(from: period.next, until: nil))
        case (false, true): return .dates(field: name, DateRange(from: nil, until: period.next))
        case (false, false): return .dates(field: name, DateRange(from: nil, until: period.first))
        }
    }
}

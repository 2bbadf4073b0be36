/// A parsed search query (api.md §9): the syntax tree every search backend compiles from, so that the same query
/// means the same on each of them.
public indirect enum Query: Hashable, Sendable {
    /// Every record (an empty query, `*` alone).
    case all
    /// Text in one full-text field (`title:ocean`), or in all of them (`field` nil).
    case text(field: String?, Text)
    /// An exact value of a field (`resource_type:dataset`, `metadata.x.y:value`).
    case exact(field: String, value: String)
    /// Dates of a date field within a range (`publication_date:[2018 TO 2020]`, `>=2020`).
    case dates(field: String, DateRange)
    /// Each must match.
    case and([Query])
    /// One at least must match.
    case or([Query])
    /// Must not match.
    case not(Query)
}

/// What a full-text leaf asks for. Backends fold case and accents alike in the records and in the query.
public enum Text: Hashable, Sendable {
    /// A word (`ocean`).
    case word(String)
    /// Words that start so (`ocea*`).
    case prefix(String)
    /// Words in this order (`"sea level"`, and a bare DOI, URL or ORCID iD).
    case phrase(String)
}

/// Days from `from` (inclusive) until `until` (exclusive), each `YYYY-MM-DD`; nil is open. A bound given as a year
/// or a month covers all of it: `[2018 TO 2020]` is 2018-01-01 until 2021-01-01.
public struct DateRange: Hashable, Sendable {
    public var from: String?
    public var until: String?

    public init(from: String?, until: String?) {
        self.from = from
        self.until = until
    }

    /// Whether a day (`YYYY-MM-DD`) is in the range.
    public func contains(_ day: String) -> Bool {
        (from.map { day >= $0 } ?? true) && (until.map { day < $0 } ?? true)
    }
}

extension Query {
    /// The text leaves a match can be scored by: those not under a negation, each with its field (nil: every text
    /// field). Empty when the query has none, and then no backend ranks by relevance.
    public var scoredTexts: [(field: String?, text: Text)] {
        switch self {
        case .text(let field, let text): [(field, text)]
        case .and(let parts), .or(let parts): parts.flatMap(\.scoredTexts)
        case .not, .all, .exact, .dates: []
        }
    }
}

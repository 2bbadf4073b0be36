/// The JSON Schema drafts the validator knows, oldest first; a schema names its own with `$schema`.
public enum Dialect: Int, Comparable, Sendable, CaseIterable {
    case draft4
    case draft6
    case draft7
    case draft201909
    case draft202012

    public static func < (a: Dialect, b: Dialect) -> Bool { a.rawValue < b.rawValue }

    /// The dialect of a `$schema` URI (with or without its empty fragment), or nil for one it does not know.
    public init?(metaschema uri: String) {
        var uri = uri
        if uri.hasSuffix("#") { uri.removeLast() }
        switch uri {
        case "http://json-schema.org/draft-04/schema", "https://json-schema.org/draft-04/schema": self = .draft4
        case "http://json-schema.org/draft-06/schema", "https://json-schema.org/draft-06/schema": self = .draft6
        case "http://json-schema.org/draft-07/schema", "https://json-schema.org/draft-07/schema": self = .draft7
        case "https://json-schema.org/draft/2019-09/schema": self = .draft201909
        case "https://json-schema.org/draft/2020-12/schema": self = .draft202012
        default: return nil
        }
    }

    /// The keyword that names a schema resource (`id` before draft 6).
    var idKeyword: String { self == .draft4 ? "id" : "$id" }
    /// Before 2019-09, `$ref` makes its siblings ignored.
    var refOverridesSiblings: Bool { self < .draft201909 }
}

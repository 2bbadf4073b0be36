/// The fields a query may name, by kind: the allow-list the parser checks `field:value` against.
public struct QueryFields: Sendable {
    /// Full-text fields (`title`, `creators`, …).
    public var text: Set<String>
    /// Fields matched by exact value (`resource_type`, `doi`, …).
    public var exact: Set<String>
    /// Date fields, for ranges and comparisons (`publication_date`).
    public var dates: Set<String>
    /// A prefix that makes any path an exact field (`metadata.`).
    public var pathPrefix: String?

    public init(text: Set<String>, exact: Set<String>, dates: Set<String>, pathPrefix: String?) {
        self.text = text
        self.exact = exact
        self.dates = dates
        self.pathPrefix = pathPrefix
    }

    /// api.md §9's fields for records.
    public static let records = QueryFields(
        text: ["title", "creators", "description", "keywords"], exact: ["resource_type", "license", "doi", "id"],
        dates: ["publication_date"], pathPrefix: "metadata.")

    enum Kind { case text, exact, date }

    func kind(of name: String) -> Kind? {
        if text.contains(name) { return .text }
        if exact.contains(name) { return .exact }
        if dates.contains(name) { return .date }
        if let pathPrefix, name.hasPrefix(pathPrefix), name.count > pathPrefix.count,
            name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty })
        {
            return .exact
        }
        return nil
    }

    /// The names, for an error message.
    var listed: String {
        (text.sorted() + exact.sorted() + dates.sorted() + (pathPrefix.map { ["\($0)…"] } ?? [])).joined(separator: ", ")
    }
}

import Foundation
import JSONSchema

/// What the search index keeps of a published record (api.md §9): the texts it searches, the values it filters,
/// sorts and counts by, and who may see it. Made from the record alone, in the transaction that changes the record,
/// so that every backend indexes the same and a search sees a change as soon as its request has returned.
public struct SearchDocument: Sendable, Equatable {
    public var id: Int64
    public var conceptID: Int64
    public var isLatest: Bool
    public var owner: String?
    /// From when everyone may see it (an embargo's day, or its creation); nil: only its owner and admins.
    public var publicFrom: Date?
    public var title: String
    /// The creators' names, one per line.
    public var creators: String
    public var description: String
    public var keywords: [String]
    public var resourceType: String?
    /// The SPDX identifier, in lower case.
    public var license: String?
    /// The first day of `publication_date` (`YYYY-MM-DD`), when it is one.
    public var publicationDay: String?
    public var created: Date
    public var updated: Date
    /// The record's DOI and its concept's, in lower case (for an index that cannot look them up).
    public var dois: [String] = []
    /// Every value of the record's document that `metadata.…:value` can find, as `path` U+001F `value` (for an index
    /// that cannot read the document): scalars reached through objects, and the scalars of arrays found there.
    public var values: [String] = []

    /// The record's document as the index keeps it; nil for drafts and removed records, which are not searched.
    public init?(_ record: Record) {
        guard record.status == .published else { return nil }
        let metadata = record.document["metadata"]
        func text(_ name: String) -> String? { metadata?[name]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        id = record.id
        conceptID = record.conceptID
        isLatest = record.isLatest
        owner = record.owner
        let access = record.access
        publicFrom = access.record == .public ? (access.embargo?.lifts ?? Date(timeIntervalSince1970: 0)) : nil
        title = text("title") ?? ""
        creators = (metadata?["creators"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue ?? $0.stringValue }.joined(separator: "\n")
        description = text("description") ?? ""
        var seen = Set<String>()
        keywords = (metadata?["keywords"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty && seen.insert($0).inserted }
        resourceType = text("resource_type")
        license = text("license")?.lowercased()
        publicationDay = text("publication_date").flatMap(Self.firstDay)
        created = record.created
        updated = record.updated
        values = Self.values(record.document)
    }

    static func values(_ json: JSON, path: String = "") -> [String] {
        func scalar(_ value: JSON) -> String? {
            switch value {
            case .string(let text): text
            case .number, .bool: value.serialized()
            default: nil
            }
        }
        switch json {
        case .object(let members):
            return members.sorted { $0.key < $1.key }.flatMap { values($0.value, path: path.isEmpty ? $0.key : path + "." + $0.key) }
        case .array(let items): return items.compactMap(scalar).map { path + "\u{1F}" + $0 }
        default: return scalar(json).map { [path + "\u{1F}" + $0] } ?? []
        }
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as its first day; nil for anything else.
    static func firstDay(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return ([String(parts[0])] + (1..<3).map { parts.count > $0 ? String(parts[$0]) : "01" }).joined(separator: "-")
    }

    /// The year of `publication_date`, for the `year` facet.
    public var year: Int? { publicationDay.flatMap { Int($0.prefix(4)) } }
}

extension SearchDocument {
    /// Text as the index compares it: lower case, accents removed (`Océan` → `ocean`), the same for the records and
    /// for the words of a query, whatever the backend.
    public static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// The folded words of a text (runs of letters and digits), one space between: what a backend without a tokenizer
    /// of the index's kind is given (PostgreSQL's parser would keep `www.example.org` or `a::b` whole).
    public static func words(_ text: String) -> String {
        folded(text).split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }
}

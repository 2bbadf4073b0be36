import Foundation
import JSONSchema

/// A record read once for every export: each format renders from this, not from the record's JSON. Every text is
/// read here once (trimmed, without the control characters XML cannot hold), and every value a vocabulary
/// constrains (an ORCID iD, an SPDX identifier, a language tag, a relation type) is checked here, so that no format
/// can write what its schema refuses.
struct Citable {
    struct Creator: Hashable {
        var name: String
        /// For a "Family, Given" name.
        var family: String?
        var given: String?
        /// The 16 digits of an ORCID iD (`0000-0002-1825-0097`), whether the metadata gave them bare or as a URL.
        var orcid: String?
        var affiliation: String?
        /// A person: a "Family, Given" name or an ORCID iD; nil when the name alone cannot tell.
        var isPerson: Bool?
    }

    /// A related identifier with DataCite's names for its type and its relation.
    struct Related: Hashable {
        var identifier: String
        /// DataCite's `relatedIdentifierType` (`DOI`, `URL`, `arXiv`, …).
        var type: String
        /// DataCite's `relationType` (`IsSupplementTo`, …).
        var relation: String
    }

    /// The licence: its text, and its SPDX identifier when the text is one.
    struct Rights: Hashable {
        var text: String
        var spdx: String?

        /// The SPDX licence's page.
        var url: String? { spdx.map { "https://spdx.org/licenses/\($0)" } }
    }

    var record: ExportRecord
    var title: String
    var creators: [Creator]
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, when the metadata has one that reads so.
    var date: String?
    var year: String
    /// The day the record last changed, `YYYY-MM-DD`, when it is known and later than its publication.
    var updated: String?
    var resourceType: ResourceType
    var description: String?
    /// Without repeats, in the metadata's order.
    var keywords: [String]
    var rights: Rights?
    var version: String?
    /// A language tag (BCP 47's shape: ISO 639 codes and subtags).
    var language: String?
    /// The metadata's related identifiers DataCite can name, without repeats, then the version ↔ concept relation.
    var related: [Related]
    var publisher: String

    init(_ record: ExportRecord) {
        self.record = record
        let metadata = record.metadata
        func text(_ name: String) -> String? { Self.text(metadata[name]) }
        title = text("title") ?? "Untitled"
        creators = (metadata["creators"]?.arrayValue ?? []).compactMap(Self.creator)
        let published = text("publication_date").flatMap { Self.isDate($0) ? $0 : nil }
        date = published
        year = published.map { String($0.prefix(4)) } ?? String(Self.day(record.created).prefix(4))
        updated = record.updated.map(Self.day).flatMap { $0 > (published ?? "") && $0 > Self.day(record.created) ? $0 : nil }
        resourceType = ResourceType(text("resource_type"))
        description = text("description")
        var seen = Set<String>()
        keywords = (metadata["keywords"]?.arrayValue ?? []).compactMap { Self.text($0) }.filter { seen.insert($0).inserted }
        rights = text("license").map { Rights(text: $0, spdx: Self.isSPDX($0) ? $0 : nil) }
        version = text("version")
        language = text("language").flatMap { Self.isLanguage($0) ? $0 : nil }
        var related: [Related] = []
        for item in metadata["related_identifiers"]?.arrayValue ?? [] {
            guard let identifier = Self.text(item["identifier"]), let scheme = Self.text(item["scheme"]),
                let type = Self.relatedTypes[scheme.lowercased()], let given = Self.text(item["relation"])?.lowercased(),
                let relation = Self.relationTypes.first(where: { $0.lowercased() == given })
            else { continue }
            related.append(Related(identifier: identifier, type: type, relation: relation))
        }
        if let other = record.isConcept ? record.doi : record.conceptDOI, other != (record.isConcept ? record.conceptDOI : record.doi) {
            related.append(Related(identifier: other, type: "DOI", relation: record.isConcept ? "HasVersion" : "IsVersionOf"))
        }
        var unique = Set<Related>()
        self.related = related.filter { unique.insert($0).inserted }
        publisher = Self.clean(record.publisher) ?? "(:unav)"
    }

    /// The DOI exported: the concept's or this version's.
    var doi: String? { record.isConcept ? record.conceptDOI : record.doi }

    /// The DOI as a URL (`https://doi.org/…`, what a URL path cannot hold percent-encoded).
    var doiURL: String? {
        doi.map { "https://doi.org/" + ($0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? $0) }
    }

    /// The DOI as a URL, else the record's URL: what a citation points at.
    var link: String { doiURL ?? record.url }

    /// The files' sizes, as DataCite words them, and their media types, each once.
    var sizes: [String] { Array(Set(record.files.map { "\($0.size) bytes" })).sorted() }
    var formats: [String] { Array(Set(record.files.compactMap { $0.mimetype.flatMap(Self.clean) })).sorted() }
}

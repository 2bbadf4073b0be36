import Foundation
import JSONSchema

/// A record read once for every export: each format renders from this, not from the record's JSON.
struct Citable {
    struct Creator {
        var name: String
        /// For a "Family, Given" name.
        var family: String?
        var given: String?
        var orcid: String?
        var affiliation: String?
        /// A person: a "Family, Given" name or an ORCID iD; nil when the name alone cannot tell.
        var isPerson: Bool?
    }

    struct Related {
        var identifier: String
        var scheme: String
        var relation: String
    }

    var record: ExportRecord
    var title: String
    var creators: [Creator]
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, when the metadata has one that reads so.
    var date: String?
    var year: String
    var resourceType: ResourceType
    var description: String?
    var keywords: [String]
    var license: String?
    var version: String?
    var language: String?
    var related: [Related]

    init(_ record: ExportRecord) {
        self.record = record
        let metadata = record.metadata
        func text(_ name: String) -> String? {
            metadata[name]?.stringValue.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        title = text("title") ?? "Untitled"
        creators = (metadata["creators"]?.arrayValue ?? []).compactMap { creator -> Creator? in
            guard let name = creator["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return nil }
            let orcid = creator["orcid"]?.stringValue
            let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let split = parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            return Creator(
                name: name, family: split ? parts[0] : nil, given: split ? parts[1] : nil, orcid: orcid,
                affiliation: creator["affiliation"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                isPerson: split || orcid != nil ? true : nil)
        }
        let published = text("publication_date").flatMap { Self.isDate($0) ? $0 : nil }
        date = published
        year = published.map { String($0.prefix(4)) } ?? String(Calendar(identifier: .gregorian).component(.year, from: record.created))
        resourceType = ResourceType(text("resource_type"))
        description = text("description")
        keywords = (metadata["keywords"]?.arrayValue ?? []).compactMap { $0.stringValue }.filter { !$0.isEmpty }
        license = text("license")
        version = text("version")
        language = text("language")
        related = (metadata["related_identifiers"]?.arrayValue ?? []).compactMap { item in
            guard let identifier = item["identifier"]?.stringValue, let scheme = item["scheme"]?.stringValue,
                let relation = item["relation"]?.stringValue
            else { return nil }
            return Related(identifier: identifier, scheme: scheme, relation: relation)
        }
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` of a real day.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } })
        else { return false }
        let numbers = parts.compactMap { Int($0) }
        var components = DateComponents(year: numbers[0], month: numbers.count > 1 ? numbers[1] : 1, day: numbers.count > 2 ? numbers[2] : 1)
        components.calendar = Calendar(identifier: .gregorian)
        return numbers[0] >= 1 && components.isValidDate
    }

    /// The DOI exported: the concept's or this version's.
    var doi: String? { record.isConcept ? record.conceptDOI : record.doi }

    /// The DOI as a URL, else the record's URL: what a citation points at.
    var link: String { doi.map { "https://doi.org/\($0)" } ?? record.url }

    /// "Lovelace, A., & Babbage, C. (2024). Title (Version 1.0) [Dataset]. Publisher. https://doi.org/…"
    var citation: String {
        func short(_ creator: Creator) -> String {
            guard let family = creator.family, let given = creator.given else { return creator.name }
            let initials = given.split(separator: " ").compactMap(\.first).map { "\($0)." }.joined(separator: " ")
            return "\(family), \(initials)"
        }
        let names = creators.map(short)
        let who: String
        switch names.count {
        case 0: who = ""
        case 1: who = names[0] + " "
        default: who = names.dropLast().joined(separator: ", ") + ", & " + names.last! + " "
        }
        let version = self.version.map { " (Version \($0))" } ?? ""
        return "\(who)(\(year)). \(title)\(version) [\(resourceType.dataCite)]. \(record.publisher). \(link)"
    }
}

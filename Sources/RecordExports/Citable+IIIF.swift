/// What a IIIF Presentation manifest says of a record (api.md §11), read through `Citable` like every export.
public struct ManifestDescription: Sendable, Equatable {
    public var label: String
    public var summary: String?
    public var metadata: [(label: String, value: String)]
    /// A Creative Commons licence's URI, as IIIF's `rights` takes it (`http`); nil for other licences.
    public var rights: String?
    public var citation: String

    public static func == (a: Self, b: Self) -> Bool {
        a.label == b.label && a.summary == b.summary && a.rights == b.rights && a.citation == b.citation
            && a.metadata.map { "\($0.label)\u{0}\($0.value)" } == b.metadata.map { "\($0.label)\u{0}\($0.value)" }
    }
}

extension Exports {
    /// The record as a manifest describes it: title, description, creators, date, type, keywords, version, DOI and
    /// licence, a Creative Commons licence as `rights`, and its citation.
    public static func manifestDescription(_ record: ExportRecord) -> ManifestDescription {
        let citable = Citable(record)
        let pairs: [(String, String?)] = [
            ("Creators", citable.creators.isEmpty ? nil : citable.creators.map(\.name).joined(separator: "; ")),
            ("Publication date", citable.date),
            ("Resource type", record.metadata["resource_type"]?.stringValue),
            ("Keywords", citable.keywords.isEmpty ? nil : citable.keywords.joined(separator: ", ")),
            ("Version", citable.version),
            ("DOI", citable.doiURL),
            ("Licence", citable.rights?.text),
        ]
        return ManifestDescription(
            label: citable.title, summary: citable.description, metadata: pairs.compactMap { label, value in value.map { (label, $0) } },
            rights: citable.rights?.spdx.flatMap(creativeCommons), citation: citable.citation)
    }

    /// A Creative Commons licence's URI from its SPDX id (`CC-BY-4.0`, `CC0-1.0`).
    static func creativeCommons(_ spdx: String) -> String? {
        let parts = spdx.lowercased().split(separator: "-").map(String.init)
        if parts == ["cc0", "1.0"] { return "http://creativecommons.org/publicdomain/zero/1.0/" }
        let kind = parts.dropFirst().dropLast().joined(separator: "-")
        guard parts.count >= 3, parts[0] == "cc", let version = parts.last, ["1.0", "2.0", "2.5", "3.0", "4.0"].contains(version),
            ["by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd"].contains(kind)
        else { return nil }
        return "http://creativecommons.org/licenses/\(kind)/\(version)/"
    }
}

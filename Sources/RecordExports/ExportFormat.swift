import JSONSchema

/// The formats a published record is exported in (api.md §8): by content negotiation on `GET /records/{id}` and as
/// `?format=` links.
public enum ExportFormat: String, CaseIterable, Sendable {
    case dataCiteJSON = "datacite-json"
    case dataCiteXML = "datacite-xml"
    case schemaOrg = "schemaorg"
    case csl = "csl"
    case bibtex = "bibtex"
    case dublinCore = "dublincore"

    public var mediaType: String {
        switch self {
        case .dataCiteJSON: "application/vnd.datacite.datacite+json"
        case .dataCiteXML: "application/vnd.datacite.datacite+xml"
        case .schemaOrg: "application/ld+json"
        case .csl: "application/vnd.citationstyles.csl+json"
        case .bibtex: "application/x-bibtex"
        case .dublinCore: "application/x-dc+xml"
        }
    }

    /// What an `Accept` header asks for: nil for the record's own JSON (`application/json`, `*/*`, none), a format,
    /// or `.unacceptable` when it names nothing served (406).
    public enum Choice: Equatable, Sendable {
        case native
        case format(ExportFormat)
        case unacceptable
    }

    /// The served type the header prefers most (RFC 9110 §12.5.1: q-values; the first listed wins a tie; `q=0`
    /// refuses), the record's JSON being `application/json`.
    public static func choose(accept: String?) -> Choice {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .native }
        var best: (choice: Choice, q: Double)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, !type.isEmpty else { continue }
            let q = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            guard q > 0, q <= 1 else { continue }
            let choice: Choice? =
                switch type {
                case "application/json", "*/*", "application/*": .native
                default: allCases.first { $0.mediaType == type }.map(Choice.format)
                }
            if let choice, q > (best?.q ?? 0) { best = (choice, q) }
        }
        return best?.choice ?? .unacceptable
    }

    /// The record in this format.
    public func render(_ record: ExportRecord) -> String {
        let citable = Citable(record)
        switch self {
        case .dataCiteJSON: return citable.dataCite.serialized(sortedKeys: true)
        case .dataCiteXML: return citable.dataCiteXML
        case .schemaOrg: return citable.schemaOrg.serialized(sortedKeys: true)
        case .csl: return citable.csl.serialized(sortedKeys: true)
        case .bibtex: return citable.bibtex
        case .dublinCore: return citable.dublinCore
        }
    }
}

/// The exports a registration and a tombstone need.
public enum Exports {
    /// The DataCite 4.5 attributes of the record (or of its concept), for DataCite's REST API.
    public static func dataCite(_ record: ExportRecord) -> JSON { Citable(record).dataCite }

    /// The schema.org type of a `resource_type` (`Dataset`, `SoftwareSourceCode`, …; `CreativeWork` otherwise).
    public static func schemaOrgType(_ resourceType: String?) -> String { ResourceType(resourceType).schemaOrg }

    /// A one-line human citation: "Lovelace, A. (2024). Title [Dataset]. Publisher. https://doi.org/…".
    public static func citation(_ record: ExportRecord) -> String { Citable(record).citation }
}

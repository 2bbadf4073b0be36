/// The formats a published record is exported in (api.md §8): by content negotiation on `GET /records/{id}` and as
/// `?format=` links (the raw value is the `?format=` name).
public enum ExportFormat: String, CaseIterable, Sendable {
    case dataCiteJSON = "datacite-json"
    case dataCiteXML = "datacite-xml"
    case schemaOrg = "schemaorg"
    case csl = "csl"
    case bibtex = "bibtex"
    case dublinCore = "dublincore"

    /// The media type the format is served as.
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

    /// The media types an `Accept` header may name the format by: its own, and the one DOI content negotiation
    /// (DataCite, Crossref) knows it by where that differs.
    public var acceptedMediaTypes: [String] {
        switch self {
        case .schemaOrg: [mediaType, "application/vnd.schemaorg.ld+json"]
        case .csl: [mediaType, "application/citeproc+json"]
        default: [mediaType]
        }
    }

    /// The end of a file name in this format (`record-12.datacite.xml`); each is distinct.
    public var fileExtension: String {
        switch self {
        case .dataCiteJSON: "datacite.json"
        case .dataCiteXML: "datacite.xml"
        case .schemaOrg: "jsonld"
        case .csl: "csl.json"
        case .bibtex: "bib"
        case .dublinCore: "dc.xml"
        }
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

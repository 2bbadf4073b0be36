/// The metadata formats OAI-PMH disseminates (api.md §10), each with the schema harvesters validate it by.
public enum OAIFormat: String, CaseIterable, Sendable {
    case dublinCore = "oai_dc"
    case dataCite = "datacite"
    case oaiDataCite = "oai_datacite"

    public var schema: String {
        switch self {
        case .dublinCore: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
        case .dataCite: "http://schema.datacite.org/meta/kernel-4.5/metadata.xsd"
        case .oaiDataCite: "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
        }
    }

    public var namespace: String {
        switch self {
        case .dublinCore: "http://www.openarchives.org/OAI/2.0/oai_dc/"
        case .dataCite: "http://datacite.org/schema/kernel-4"
        case .oaiDataCite: "http://schema.datacite.org/oai/oai-1.1/"
        }
    }

    /// The record as the `<metadata>` element's content (no XML declaration). `dataCentre`: the symbol of the
    /// DataCite repository that registers the DOIs, as `oai_datacite` names it.
    public func render(_ record: ExportRecord, dataCentre: String) -> String {
        let citable = Citable(record)
        switch self {
        case .dublinCore: return Self.withoutDeclaration(citable.dublinCore)
        case .dataCite: return Self.withoutDeclaration(citable.dataCiteXML)
        case .oaiDataCite:
            return [
                #"<oai_datacite xmlns="http://schema.datacite.org/oai/oai-1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://schema.datacite.org/oai/oai-1.1/ http://schema.datacite.org/oai/oai-1.1/oai.xsd">"#,
                XML.element("schemaVersion", "4.5", indent: 1), XML.element("datacentreSymbol", dataCentre, indent: 1),
                "  <payload>", Self.withoutDeclaration(citable.dataCiteXML), "  </payload>", "</oai_datacite>",
            ].joined(separator: "\n")
        }
    }

    static func withoutDeclaration(_ xml: String) -> String {
        var text = Substring(xml)
        if text.hasPrefix("<?xml"), let end = text.firstIndex(of: "\n") { text = text[text.index(after: end)...] }
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}

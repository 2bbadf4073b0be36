extension Citable {
    /// DataCite XML, kernel-4 (schema 4.5): the same attributes as the DataCite JSON, as DataCite's XML writes them.
    var dataCiteXML: String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<resource xmlns="http://datacite.org/schema/kernel-4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://datacite.org/schema/kernel-4 http://schema.datacite.org/meta/kernel-4.5/metadata.xsd">"#,
        ]
        lines.append(XML.element("identifier", doi ?? "(:tba)", [("identifierType", "DOI")], indent: 1))
        lines.append("  <creators>")
        for creator in creators.isEmpty ? [Creator(name: "(:unav)")] : creators {
            lines.append("    <creator>")
            var name: [(String, String)] = []
            if let isPerson = creator.isPerson { name.append(("nameType", isPerson ? "Personal" : "Organizational")) }
            lines.append(XML.element("creatorName", creator.name, name, indent: 3))
            if let given = creator.given, let family = creator.family {
                lines.append(XML.element("givenName", given, indent: 3))
                lines.append(XML.element("familyName", family, indent: 3))
            }
            if let orcid = creator.orcid {
                lines.append(
                    XML.element("nameIdentifier", orcid, [("nameIdentifierScheme", "ORCID"), ("schemeURI", "https://orcid.org")], indent: 3))
            }
            if let affiliation = creator.affiliation { lines.append(XML.element("affiliation", affiliation, indent: 3)) }
            lines.append("    </creator>")
        }
        lines.append("  </creators>")
        lines.append(XML.list("titles", [XML.element("title", title, indent: 2)]))
        lines.append(XML.element("publisher", publisher, indent: 1))
        lines.append(XML.element("publicationYear", year, indent: 1))
        lines.append(XML.element("resourceType", resourceType.schemaOrg, [("resourceTypeGeneral", resourceType.dataCite)], indent: 1))
        lines.append(XML.list("subjects", keywords.map { XML.element("subject", $0, indent: 2) }))
        var dates: [String] = []
        if let date { dates.append(XML.element("date", date, [("dateType", "Issued")], indent: 2)) }
        if let updated { dates.append(XML.element("date", updated, [("dateType", "Updated")], indent: 2)) }
        lines.append(XML.list("dates", dates))
        if let language { lines.append(XML.element("language", language, indent: 1)) }
        lines.append(
            XML.list("alternateIdentifiers", [XML.element("alternateIdentifier", record.url, [("alternateIdentifierType", "URL")], indent: 2)]))
        lines.append(
            XML.list(
                "relatedIdentifiers",
                related.map {
                    XML.element("relatedIdentifier", $0.identifier, [("relatedIdentifierType", $0.type), ("relationType", $0.relation)], indent: 2)
                }))
        lines.append(XML.list("sizes", sizes.map { XML.element("size", $0, indent: 2) }))
        lines.append(XML.list("formats", formats.map { XML.element("format", $0, indent: 2) }))
        if let version { lines.append(XML.element("version", version, indent: 1)) }
        if let rights {
            var attributes: [(String, String)] = []
            if let spdx = rights.spdx, let url = rights.url {
                attributes = [
                    ("rightsURI", url), ("rightsIdentifier", spdx.lowercased()), ("rightsIdentifierScheme", "SPDX"),
                    ("schemeURI", "https://spdx.org/licenses/"),
                ]
            }
            lines.append(XML.list("rightsList", [XML.element("rights", rights.text, attributes, indent: 2)]))
        }
        if let description {
            lines.append(XML.list("descriptions", [XML.element("description", description, [("descriptionType", "Abstract")], indent: 2)]))
        }
        lines.append("</resource>")
        return lines.filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }
}

extension Citable {
    /// DataCite XML, kernel-4 (schema 4.5): the same mapping as the DataCite JSON.
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
        lines.append("  <titles>\n" + XML.element("title", title, indent: 2) + "\n  </titles>")
        lines.append(XML.element("publisher", record.publisher, indent: 1))
        lines.append(XML.element("publicationYear", year, indent: 1))
        lines.append(XML.element("resourceType", resourceType.schemaOrg, [("resourceTypeGeneral", resourceType.dataCite)], indent: 1))
        if !keywords.isEmpty {
            lines.append("  <subjects>")
            lines += Array(Set(keywords)).sorted().map { XML.element("subject", $0, indent: 2) }
            lines.append("  </subjects>")
        }
        if let date { lines.append("  <dates>\n" + XML.element("date", date, [("dateType", "Issued")], indent: 2) + "\n  </dates>") }
        if let language { lines.append(XML.element("language", language, indent: 1)) }
        let related = relatedDOIs
        if !related.isEmpty {
            lines.append("  <relatedIdentifiers>")
            lines += related.map {
                XML.element("relatedIdentifier", $0.identifier, [("relatedIdentifierType", $0.type), ("relationType", $0.relation)], indent: 2)
            }
            lines.append("  </relatedIdentifiers>")
        }
        let sizes = Array(Set(record.files.map { "\($0.size) bytes" })).sorted()
        if !sizes.isEmpty { lines.append("  <sizes>\n" + sizes.map { XML.element("size", $0, indent: 2) }.joined(separator: "\n") + "\n  </sizes>") }
        let formats = Array(Set(record.files.compactMap(\.mimetype))).sorted()
        if !formats.isEmpty {
            lines.append("  <formats>\n" + formats.map { XML.element("format", $0, indent: 2) }.joined(separator: "\n") + "\n  </formats>")
        }
        if let version { lines.append(XML.element("version", version, indent: 1)) }
        if let license {
            let rights = XML.element(
                "rights", license,
                [
                    ("rightsURI", "https://spdx.org/licenses/\(license)"), ("rightsIdentifier", license.lowercased()),
                    ("rightsIdentifierScheme", "SPDX"), ("schemeURI", "https://spdx.org/licenses/"),
                ], indent: 2)
            lines.append("  <rightsList>\n\(rights)\n  </rightsList>")
        }
        if let description {
            lines.append(
                "  <descriptions>\n" + XML.element("description", description, [("descriptionType", "Abstract")], indent: 2) + "\n  </descriptions>")
        }
        lines.append("</resource>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Dublin Core (OAI-PMH's `oai_dc`).
    var dublinCore: String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">"#,
        ]
        lines.append(XML.element("dc:title", title, indent: 1))
        lines += creators.map { XML.element("dc:creator", $0.name, indent: 1) }
        lines += Array(Set(keywords)).sorted().map { XML.element("dc:subject", $0, indent: 1) }
        if let description { lines.append(XML.element("dc:description", description, indent: 1)) }
        lines.append(XML.element("dc:publisher", record.publisher, indent: 1))
        lines.append(XML.element("dc:date", date ?? year, indent: 1))
        lines.append(XML.element("dc:type", "info:eu-repo/semantics/other", indent: 1))
        lines.append(XML.element("dc:type", resourceType.dcmi, indent: 1))
        if let doi { lines.append(XML.element("dc:identifier", "https://doi.org/\(doi)", indent: 1)) }
        lines.append(XML.element("dc:identifier", record.url, indent: 1))
        lines += Array(Set(record.files.compactMap(\.mimetype))).sorted().map { XML.element("dc:format", $0, indent: 1) }
        if let language { lines.append(XML.element("dc:language", language, indent: 1)) }
        lines += relatedDOIs.map { XML.element("dc:relation", $0.type == "DOI" ? "doi:\($0.identifier)" : $0.identifier, indent: 1) }
        if let license { lines.append(XML.element("dc:rights", "https://spdx.org/licenses/\(license)", indent: 1)) }
        lines.append("</oai_dc:dc>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The related identifiers DataCite knows the type of, and the version ↔ concept relation.
    var relatedDOIs: [(identifier: String, type: String, relation: String)] {
        var related = self.related.compactMap { item in
            Self.relatedTypes[item.scheme.lowercased()].map { (item.identifier, $0, item.relation) }
        }
        if let other = record.isConcept ? record.doi : record.conceptDOI, other != doi {
            related.append((other, "DOI", record.isConcept ? "HasVersion" : "IsVersionOf"))
        }
        return related
    }
}

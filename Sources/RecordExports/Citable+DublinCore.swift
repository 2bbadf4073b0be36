extension Citable {
    /// Dublin Core, as OAI-PMH's `oai_dc` (`oai_dc.xsd`): the 15 elements of simple Dublin Core only.
    var dublinCore: String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">"#,
        ]
        lines.append(XML.element("dc:title", title, indent: 1))
        lines += creators.map { XML.element("dc:creator", $0.name, indent: 1) }
        lines += keywords.map { XML.element("dc:subject", $0, indent: 1) }
        if let description { lines.append(XML.element("dc:description", description, indent: 1)) }
        lines.append(XML.element("dc:publisher", publisher, indent: 1))
        lines.append(XML.element("dc:date", date ?? year, indent: 1))
        lines.append(XML.element("dc:type", "info:eu-repo/semantics/other", indent: 1))
        lines.append(XML.element("dc:type", resourceType.dcmi, indent: 1))
        if let doiURL { lines.append(XML.element("dc:identifier", doiURL, indent: 1)) }
        lines.append(XML.element("dc:identifier", record.url, indent: 1))
        lines += formats.map { XML.element("dc:format", $0, indent: 1) }
        if let language { lines.append(XML.element("dc:language", language, indent: 1)) }
        lines += related.map { XML.element("dc:relation", $0.type == "DOI" ? "doi:\($0.identifier)" : $0.identifier, indent: 1) }
        if let rights { lines.append(XML.element("dc:rights", rights.url ?? rights.text, indent: 1)) }
        lines.append("</oai_dc:dc>")
        return lines.joined(separator: "\n") + "\n"
    }
}

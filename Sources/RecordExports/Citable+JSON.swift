import JSONSchema

extension Citable {
    /// schema.org JSON-LD.
    var schemaOrg: JSON {
        var object: [String: JSON] = [
            "@context": .string("https://schema.org"), "@type": .string(resourceType.schemaOrg),
            "@id": .string(link), "url": .string(record.url), "name": .string(title),
            "datePublished": .string(date ?? year),
            "publisher": .object(["@type": .string("Organization"), "name": .string(record.publisher)]),
            "creator": .array(
                creators.map { creator in
                    var person: [String: JSON] = [
                        "@type": .string(creator.isPerson == true ? "Person" : creator.isPerson == false ? "Organization" : "Person"),
                        "name": .string(creator.name),
                    ]
                    if let family = creator.family, let given = creator.given {
                        person["familyName"] = .string(family)
                        person["givenName"] = .string(given)
                    }
                    if let orcid = creator.orcid { person["@id"] = .string("https://orcid.org/\(orcid)") }
                    if let affiliation = creator.affiliation {
                        person["affiliation"] = .object(["@type": .string("Organization"), "name": .string(affiliation)])
                    }
                    return .object(person)
                }),
        ]
        if let doi { object["identifier"] = .string("https://doi.org/\(doi)") }
        if let description { object["description"] = .string(description) }
        if !keywords.isEmpty { object["keywords"] = .array(keywords.map(JSON.string)) }
        if let license { object["license"] = .string("https://spdx.org/licenses/\(license)") }
        if let version { object["version"] = .string(version) }
        if let language { object["inLanguage"] = .string(language) }
        if !record.files.isEmpty {
            object["distribution"] = .array(
                record.files.map { file in
                    var download: [String: JSON] = [
                        "@type": .string("DataDownload"), "name": .string(file.key), "contentUrl": .string(file.url),
                        "contentSize": .string("\(file.size)"),
                    ]
                    if let type = file.mimetype { download["encodingFormat"] = .string(type) }
                    return .object(download)
                })
        }
        return .object(object)
    }

    /// CSL JSON (an array of one item, as citeproc processors read it).
    var csl: JSON {
        var item: [String: JSON] = [
            "id": .string(doi ?? String(record.id)), "type": .string(resourceType.csl), "title": .string(title),
            "publisher": .string(record.publisher), "URL": .string(link),
            "issued": .object([
                "date-parts": .array([.array((date ?? year).split(separator: "-").compactMap { Int($0) }.map { .number(Double($0)) })])
            ]),
            "author": .array(
                creators.map { creator in
                    if let family = creator.family, let given = creator.given {
                        return .object(["family": .string(family), "given": .string(given)])
                    }
                    return .object(["literal": .string(creator.name)])
                }),
        ]
        if let doi { item["DOI"] = .string(doi) }
        if let description { item["abstract"] = .string(description) }
        if !keywords.isEmpty { item["keyword"] = .string(keywords.joined(separator: ", ")) }
        if let version { item["version"] = .string(version) }
        if let language { item["language"] = .string(language) }
        return .array([.object(item)])
    }
}

import JSONSchema

extension Citable {
    /// schema.org JSON-LD: the record as a `Dataset`, `SoftwareSourceCode`, … (`@id` its DOI URL, else its URL), its
    /// creators as `Person` (a "Family, Given" name or an ORCID iD; `@id` the ORCID iD's URL) or `Organization` (the
    /// built-in schema's other names), and its files as `DataDownload`s.
    var schemaOrg: JSON {
        var object: [String: JSON] = [
            "@context": .string("https://schema.org"), "@type": .string(resourceType.schemaOrg),
            "@id": .string(link), "url": .string(record.url), "name": .string(title),
            "datePublished": .string(date ?? year),
            "publisher": .object(["@type": .string("Organization"), "name": .string(publisher)]),
            "creator": .array(
                creators.map { creator in
                    var person: [String: JSON] = [
                        "@type": .string(creator.isPerson == true ? "Person" : "Organization"), "name": .string(creator.name),
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
        if let doiURL { object["identifier"] = .string(doiURL) }
        if let updated { object["dateModified"] = .string(updated) }
        if let description { object["description"] = .string(description) }
        if !keywords.isEmpty { object["keywords"] = .array(keywords.map(JSON.string)) }
        if let rights { object["license"] = .string(rights.url ?? rights.text) }
        if let version { object["version"] = .string(version) }
        if let language { object["inLanguage"] = .string(language) }
        if !record.files.isEmpty {
            object["distribution"] = .array(
                record.files.map { file in
                    var download: [String: JSON] = [
                        "@type": .string("DataDownload"), "name": .string(file.key), "contentUrl": .string(file.url),
                        "contentSize": .string("\(file.size)"),
                    ]
                    if let type = file.mimetype.flatMap(Self.clean) { download["encodingFormat"] = .string(type) }
                    return .object(download)
                })
        }
        return .object(object)
    }
}

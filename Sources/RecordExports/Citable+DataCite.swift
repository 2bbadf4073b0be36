import JSONSchema

extension Citable {
    /// The DataCite 4.5 attributes (the JSON DataCite's REST API takes, and `datacite-v4.5.json` describes): the DOI
    /// when there is one, the landing page, and the record's URL as an alternate identifier; a registration adds its
    /// `event`.
    var dataCite: JSON {
        var attributes: [String: JSON] = [
            "types": .object(["resourceTypeGeneral": .string(resourceType.dataCite), "resourceType": .string(resourceType.schemaOrg)]),
            "titles": .array([.object(["title": .string(title)])]),
            "creators": .array(
                creators.isEmpty
                    ? [.object(["name": .string("(:unav)")])]
                    : creators.map { creator in
                        var person: [String: JSON] = ["name": .string(creator.name)]
                        if let isPerson = creator.isPerson { person["nameType"] = .string(isPerson ? "Personal" : "Organizational") }
                        if let family = creator.family, let given = creator.given {
                            person["familyName"] = .string(family)
                            person["givenName"] = .string(given)
                        }
                        if let orcid = creator.orcid {
                            person["nameIdentifiers"] = .array([
                                .object([
                                    "nameIdentifier": .string(orcid), "nameIdentifierScheme": .string("ORCID"),
                                    "schemeUri": .string("https://orcid.org"),
                                ])
                            ])
                        }
                        if let affiliation = creator.affiliation { person["affiliation"] = .array([.object(["name": .string(affiliation)])]) }
                        return .object(person)
                    }),
            "publisher": .object(["name": .string(publisher)]),
            "publicationYear": .string(year),
            "schemaVersion": .string("http://datacite.org/schema/kernel-4"),
            "url": .string(record.url),
            "alternateIdentifiers": .array([.object(["alternateIdentifier": .string(record.url), "alternateIdentifierType": .string("URL")])]),
        ]
        if let doi { attributes["doi"] = .string(doi) }
        var dates: [JSON] = []
        if let date { dates.append(.object(["date": .string(date), "dateType": .string("Issued")])) }
        if let updated { dates.append(.object(["date": .string(updated), "dateType": .string("Updated")])) }
        if !dates.isEmpty { attributes["dates"] = .array(dates) }
        if let description {
            attributes["descriptions"] = .array([.object(["description": .string(description), "descriptionType": .string("Abstract")])])
        }
        if !keywords.isEmpty { attributes["subjects"] = .array(keywords.map { .object(["subject": .string($0)]) }) }
        if let rights {
            var item: [String: JSON] = ["rights": .string(rights.text)]
            if let spdx = rights.spdx, let url = rights.url {
                item["rightsIdentifier"] = .string(spdx.lowercased())
                item["rightsIdentifierScheme"] = .string("SPDX")
                item["rightsUri"] = .string(url)
                item["schemeUri"] = .string("https://spdx.org/licenses/")
            }
            attributes["rightsList"] = .array([.object(item)])
        }
        if let version { attributes["version"] = .string(version) }
        if let language { attributes["language"] = .string(language) }
        if !related.isEmpty {
            attributes["relatedIdentifiers"] = .array(
                related.map { item in
                    .object([
                        "relatedIdentifier": .string(item.identifier), "relatedIdentifierType": .string(item.type),
                        "relationType": .string(item.relation),
                    ])
                })
        }
        if !sizes.isEmpty { attributes["sizes"] = .array(sizes.map(JSON.string)) }
        if !formats.isEmpty { attributes["formats"] = .array(formats.map(JSON.string)) }
        return .object(attributes)
    }
}

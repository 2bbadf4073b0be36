import JSONSchema

extension Citable {
    /// DataCite's related identifier types, by the scheme names records use (lower case).
    static let relatedTypes: [String: String] = [
        "ark": "ARK", "arxiv": "arXiv", "bibcode": "bibcode", "doi": "DOI", "ean13": "EAN13", "eissn": "EISSN", "handle": "Handle",
        "igsn": "IGSN", "isbn": "ISBN", "issn": "ISSN", "istc": "ISTC", "lissn": "LISSN", "lsid": "LSID", "pmid": "PMID",
        "purl": "PURL", "upc": "UPC", "url": "URL", "urn": "URN", "w3id": "w3id",
    ]

    /// The DataCite 4.5 attributes (the JSON DataCite's REST API takes, and `datacite-v4.5.json` describes), with
    /// the DOI and its landing page when there is a DOI; a registration adds its `event`.
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
            "publisher": .object(["name": .string(record.publisher)]),
            "publicationYear": .string(year),
            "schemaVersion": .string("http://datacite.org/schema/kernel-4"),
        ]
        if let doi {
            attributes["doi"] = .string(doi)
            attributes["url"] = .string(record.url)
        }
        if let date { attributes["dates"] = .array([.object(["date": .string(date), "dateType": .string("Issued")])]) }
        if let description {
            attributes["descriptions"] = .array([.object(["description": .string(description), "descriptionType": .string("Abstract")])])
        }
        if !keywords.isEmpty { attributes["subjects"] = .array(Array(Set(keywords)).sorted().map { .object(["subject": .string($0)]) }) }
        if let license {
            attributes["rightsList"] = .array([
                .object([
                    "rights": .string(license), "rightsIdentifier": .string(license.lowercased()),
                    "rightsIdentifierScheme": .string("SPDX"), "rightsUri": .string("https://spdx.org/licenses/\(license)"),
                    "schemeUri": .string("https://spdx.org/licenses/"),
                ])
            ])
        }
        if let version { attributes["version"] = .string(version) }
        if let language { attributes["language"] = .string(language) }
        let related = relatedDOIs.map { item -> JSON in
            .object([
                "relatedIdentifier": .string(item.identifier), "relatedIdentifierType": .string(item.type), "relationType": .string(item.relation),
            ])
        }
        if !related.isEmpty { attributes["relatedIdentifiers"] = .array(Array(Set(related)).sorted { $0.serialized() < $1.serialized() }) }
        let sizes = record.files.map { "\($0.size) bytes" }
        if !sizes.isEmpty { attributes["sizes"] = .array(Array(Set(sizes)).sorted().map(JSON.string)) }
        let formats = Set(record.files.compactMap(\.mimetype))
        if !formats.isEmpty { attributes["formats"] = .array(formats.sorted().map(JSON.string)) }
        return .object(attributes)
    }
}

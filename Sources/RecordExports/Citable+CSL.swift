import JSONSchema

extension Citable {
    /// CSL JSON (an array of one item, as citeproc processors read it): persons as `family` and `given`, other
    /// names as `literal`.
    var csl: JSON {
        var item: [String: JSON] = [
            "id": .string(doi ?? String(record.id)), "type": .string(resourceType.csl), "title": .string(title),
            "publisher": .string(publisher), "URL": .string(link),
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

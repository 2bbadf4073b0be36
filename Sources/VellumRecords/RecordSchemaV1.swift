/// The built-in schema of a record's `metadata` (api.md §7), used when a record names none, and served at
/// `/schemas/record-v1.0.0.json`: title, creators, publication date and resource type required; description,
/// keywords, licence (an SPDX identifier), version, language (ISO 639-3) and related identifiers (DataCite's
/// relation types) optional. JSON Schema 2020-12.
public enum RecordSchemaV1 {
    public static let name = "record-v1.0.0.json"

    /// DataCite 4.5's relation types.
    public static let relationTypes = [
        "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues", "IsDescribedBy",
        "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf",
        "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn", "IsReferencedBy", "References",
        "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf", "IsOriginalFormOf",
        "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires",
        "IsObsoletedBy", "Obsoletes", "IsCollectedBy", "Collects",
    ]

    /// DataCite 4.5's related identifier types, lower case (as InvenioRDM writes them).
    public static let identifierSchemes = [
        "ark", "arxiv", "bibcode", "doi", "ean13", "eissn", "handle", "igsn", "isbn", "issn", "istc", "lissn", "lsid",
        "pmid", "purl", "upc", "url", "urn", "w3id",
    ]

    public static let resourceTypes = [
        "dataset", "software", "publication", "poster", "presentation", "image", "video", "audio", "workflow",
        "physicalobject", "other",
    ]

    /// The schema's text.
    public static var text: String {
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "local://\(name)",
              "title": "A record's metadata",
              "type": "object",
              "required": ["title", "creators", "publication_date", "resource_type"],
              "properties": {
                "title": {"type": "string", "minLength": 1},
                "creators": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                      "name": {"type": "string", "minLength": 1},
                      "orcid": {"type": "string", "pattern": "^\\\\d{4}-\\\\d{4}-\\\\d{4}-\\\\d{3}[0-9X]$"},
                      "affiliation": {"type": "string"}
                    },
                    "additionalProperties": false
                  }
                },
                "publication_date": {
                  "type": "string",
                  "pattern": "^\\\\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\\\d|3[01]))?)?$"
                },
                "resource_type": {"type": "string", "enum": \(list(resourceTypes))},
                "description": {"type": "string"},
                "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "license": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9.+-]*$"},
                "version": {"type": "string"},
                "language": {"type": "string", "pattern": "^[a-z]{3}$"},
                "related_identifiers": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "required": ["identifier", "scheme", "relation"],
                    "properties": {
                      "identifier": {"type": "string", "minLength": 1},
                      "scheme": {"type": "string", "enum": \(list(identifierSchemes))},
                      "relation": {"type": "string", "enum": \(list(relationTypes))}
                    },
                    "additionalProperties": false
                  }
                }
              },
              "additionalProperties": false
            }
            """
    }
}

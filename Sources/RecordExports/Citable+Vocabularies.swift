extension Citable {
    /// DataCite's related identifier types, by the scheme names records use (lower case).
    static let relatedTypes: [String: String] = [
        "ark": "ARK", "arxiv": "arXiv", "bibcode": "bibcode", "doi": "DOI", "ean13": "EAN13", "eissn": "EISSN", "handle": "Handle",
        "igsn": "IGSN", "isbn": "ISBN", "issn": "ISSN", "istc": "ISTC", "lissn": "LISSN", "lsid": "LSID", "pmid": "PMID",
        "purl": "PURL", "upc": "UPC", "url": "URL", "urn": "URN", "w3id": "w3id",
    ]

    /// DataCite 4.5's relation types.
    static let relationTypes = [
        "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues", "IsDescribedBy", "Describes",
        "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf", "IsPreviousVersionOf", "IsPartOf", "HasPart",
        "IsPublishedIn", "IsReferencedBy", "References", "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf",
        "IsOriginalFormOf", "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires",
        "IsObsoletedBy", "Obsoletes", "IsCollectedBy", "Collects",
    ]
}

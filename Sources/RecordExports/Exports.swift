import JSONSchema

/// The exports a registration and a tombstone need.
public enum Exports {
    /// The DataCite 4.5 attributes of the record (or of its concept), for DataCite's REST API.
    public static func dataCite(_ record: ExportRecord) -> JSON { Citable(record).dataCite }

    /// The schema.org type of a `resource_type` (`Dataset`, `SoftwareSourceCode`, …; `CreativeWork` otherwise).
    public static func schemaOrgType(_ resourceType: String?) -> String { ResourceType(resourceType).schemaOrg }

    /// A one-line human citation: "Lovelace, A. (2024). Title [Dataset]. Publisher. https://doi.org/…".
    public static func citation(_ record: ExportRecord) -> String { Citable(record).citation }
}

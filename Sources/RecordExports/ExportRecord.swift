import Foundation
import JSONSchema

/// What the exports know of a published record: its identifiers and URLs, its metadata (the built-in schema's
/// fields, api.md §7; a registered schema's metadata may lack them or hold other types: what cannot be read is
/// left out, never an error), and its files.
public struct ExportRecord: Sendable {
    public struct File: Sendable {
        public var key: String
        public var size: Int64
        public var mimetype: String?
        public var url: String

        public init(key: String, size: Int64, mimetype: String?, url: String) {
            self.key = key
            self.size = size
            self.mimetype = mimetype
            self.url = url
        }
    }

    public var id: Int64
    public var conceptID: Int64
    /// This version's DOI and the concept's, when minted.
    public var doi: String?
    public var conceptDOI: String?
    /// The record's URL (its landing page).
    public var url: String
    /// Who publishes it: the repository's name.
    public var publisher: String
    public var metadata: JSON
    /// When the record was created, and last changed (an export's `Updated` date when it is later than the
    /// publication date).
    public var created: Date
    public var updated: Date?
    public var versionIndex: Int
    public var files: [File]
    /// Exported as the concept (all versions, under its DOI), not as this version.
    public var isConcept = false

    public init(
        id: Int64, conceptID: Int64, doi: String?, conceptDOI: String?, url: String, publisher: String, metadata: JSON,
        created: Date, updated: Date? = nil, versionIndex: Int, files: [File]
    ) {
        self.id = id
        self.conceptID = conceptID
        self.doi = doi
        self.conceptDOI = conceptDOI
        self.url = url
        self.publisher = publisher
        self.metadata = metadata
        self.created = created
        self.updated = updated
        self.versionIndex = versionIndex
        self.files = files
    }
}

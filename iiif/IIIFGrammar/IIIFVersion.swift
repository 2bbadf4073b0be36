/// The two versions of the IIIF Image API Vellum serves, under `/iiif/v2` (2.1) and `/iiif/v3` (3.0), for the same
/// identifiers.
public enum IIIFVersion: String, Sendable, CaseIterable {
    case v2, v3

    /// The JSON-LD context of info.json.
    public var context: String {
        switch self {
        case .v2: "http://iiif.io/api/image/2/context.json"
        case .v3: "http://iiif.io/api/image/3/context.json"
        }
    }

    /// The compliance level document, for info.json (2.1) and the `Link: rel="profile"` header (both).
    public var profileURI: String {
        switch self {
        case .v2: "http://iiif.io/api/image/2/level2.json"
        case .v3: "http://iiif.io/api/image/3/level2.json"
        }
    }

    /// The media type of info.json when the client asks for JSON-LD, or (3.0) does not say.
    public var jsonLDType: String {
        switch self {
        case .v2: "application/ld+json"
        case .v3: "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
        }
    }
}

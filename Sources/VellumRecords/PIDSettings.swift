import Foundation
import VellumCore

/// The DOIs' settings (`doi_prefix`, `datacite_*`; `VELLUM_DOI_PREFIX`, …; `docs/configuration.md`). Without a
/// prefix no DOI is minted.
public struct PIDSettings: SettingsGroup {
    /// The DataCite prefix DOIs are minted under (`10.5072` is DataCite's test prefix).
    public var doiPrefix: String?
    /// DataCite's REST API (`https://api.test.datacite.org` for the test system).
    public var dataCiteURL = "https://api.datacite.org"
    public var dataCiteUsername = ""
    public var dataCitePassword = ""
    /// The publisher records' exports and DOIs name; the public URL's host name when unset.
    public var publisher: String?

    public init() {}

    public static let table: [Setting<PIDSettings>] = [
        .optionalText("doi_prefix", \.doiPrefix),
        .text("datacite_url", \.dataCiteURL),
        .text("datacite_username", \.dataCiteUsername),
        .text("datacite_password", \.dataCitePassword),
        .optionalText("publisher", \.publisher),
    ]
}

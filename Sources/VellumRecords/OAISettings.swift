import VellumCore

/// OAI-PMH's settings (`oai_*`; `VELLUM_OAI_NAMESPACE`, …; `docs/configuration.md`).
public struct OAISettings: SettingsGroup {
    /// The middle of the items' identifiers (`oai:{namespace}:{id}`); the public URL's host when unset.
    public var namespace: String?
    /// The address `Identify` gives (`adminEmail`); `admin@{host}` when unset.
    public var adminEmail: String?
    /// The name `Identify` gives (`repositoryName`); the publisher when unset.
    public var repositoryName: String?

    public init() {}

    public static let table: [Setting<OAISettings>] = [
        .optionalText("oai_namespace", \.namespace),
        .optionalText("oai_admin_email", \.adminEmail),
        .optionalText("oai_repository_name", \.repositoryName),
    ]
}

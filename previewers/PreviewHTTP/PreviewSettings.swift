import Foundation
import VellumCore

/// The previews' settings (`preview_*`, `VELLUM_PREVIEW_*`; `docs/configuration.md`).
public struct PreviewSettings: SettingsGroup {
    /// How long a preview ticket (`links.preview`) is valid.
    public var ticketTTL: TimeInterval = 600
    /// The origin that serves previews (`https://preview.example-usercontent.org`), when not the API's own.
    public var url: String?
    /// Files larger than this (MB) that need parsing get their first part or a notice.
    public var maxMB = 100
    /// The folder of the third-party browser assets (`scripts/preview-assets.sh` fills it); empty: `{data_dir}/preview-assets`.
    public var assets = ""
    /// The key tickets are signed with; several daemons serving one site need the same. Empty: a random key per
    /// process (tickets then last until a restart, and are valid only on the daemon that made them).
    public var secret = ""

    public init() {}

    public static let table: [Setting<PreviewSettings>] = [
        .duration("preview_ticket_ttl", \.ticketTTL),
        .optionalText("preview_url", \.url),
        .count("preview_max_mb", \.maxMB),
        .text("preview_assets", \.assets),
        .text("preview_secret", \.secret),
    ]
}

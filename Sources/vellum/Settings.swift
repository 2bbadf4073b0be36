import ArgumentParser
import Foundation
import IIIF
import PreviewHTTP
import TOMLKit
import VellumCore
import VellumOpenSearch
import VellumRecords

/// The daemon's configuration: built-in defaults < TOML file < `VELLUM_*` environment < command-line flags.
struct Settings: Sendable {
    var host = "127.0.0.1"
    var port = 5000
    var dataDir = "./var"
    var databaseURL: String?
    /// OpenSearch for the records' search (`http(s)://host:port[/prefix]`); nil: the database's own index.
    var searchURL: String?
    var bootstrapToken: String?
    var publicURL: String?
    var allowedHosts: [String] = []
    var logLevel = "info"
    /// The URI of the location `default` made on first start (a `default` directory under the data directory
    /// when nil).
    var defaultLocation: String?
    /// Credentials for S3 locations.
    var s3AccessKeyID = ""
    var s3SecretAccessKey = ""
    var s3SessionToken: String?
    /// Limits (bytes) new buckets get when their creator sets none; nil for none.
    var defaultQuotaSize: Int64?
    var defaultMaxFileSize: Int64?
    /// Connections (seconds): a request head must arrive within `headerTimeout`, a kept-alive connection may idle
    /// `idleTimeout` between requests, and a body (sent or received) may stall `bodyTimeout`; SIGTERM waits at most
    /// `drainTimeout` for requests in flight.
    var headerTimeout: TimeInterval = 30
    var idleTimeout: TimeInterval = 60
    var bodyTimeout: TimeInterval = 60
    var drainTimeout: TimeInterval = 30
    /// Connections served at once; more wait in the kernel's backlog.
    var maxConnections = 4096
    /// Seconds without activity after which an unfinished multipart upload is aborted.
    var multipartExpires: TimeInterval = 4 * 86400
    /// Every file is verified once per period (seconds).
    var fixityPeriod: TimeInterval = 30 * 86400
    /// The fixity scheduler's limit in MB/s (10^6 bytes); nil for none.
    var fixityMaxRate: Double?
    /// Files the fixity scheduler verifies at once.
    var fixityWorkers = ProcessInfo.processInfo.activeProcessorCount
    /// The attached modules' settings, each a `SettingsGroup` registered in `groups`, by type.
    private var values: [ObjectIdentifier: any SettingsGroup] = [:]

    /// The database URL, defaulting to the SQLite file in the data directory.
    var resolvedDatabaseURL: String { databaseURL ?? "sqlite://\(dataDir)/vellum.sqlite" }
    /// The base of `links`, defaulting to the listening address.
    var resolvedPublicURL: String { publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The modules whose settings are read beside the core's: register a module's `SettingsGroup` here.
    static let groups: [any SettingsGroup.Type] = [IIIFSettings.self, PreviewSettings.self, PIDSettings.self, OAISettings.self]

    /// A module's settings.
    subscript<Group: SettingsGroup>(_ group: Group.Type) -> Group {
        get { values[ObjectIdentifier(group)] as? Group ?? Group() }
        set { values[ObjectIdentifier(group)] = newValue }
    }

    /// Every setting, once: the core's, then each group's. Each key (in the TOML file; in the environment `VELLUM_`
    /// and the key in capitals) comes with how its text is read (type and checks); the defaults are the properties
    /// of `Settings` and of each group; `docs/configuration.md` documents each key (a test checks). A key the table
    /// does not have, in the file, is an error that names it; so is a value its reader refuses, in the file or the
    /// environment.
    static let table: [Setting<Settings>] = core + groups.flatMap { $0.settingsTable }

    static let core: [Setting<Settings>] = [
        .text("host", \.host),
        Setting("port") { $0.port = try SettingValue.port($1, name: $2) },
        .text("data_dir", \.dataDir),
        .optionalText("database_url", \.databaseURL),
        .optionalText("search_url", \.searchURL),
        .optionalText("bootstrap_token", \.bootstrapToken),
        .optionalText("public_url", \.publicURL),
        Setting("allowed_hosts") { settings, text, _ in
            settings.allowedHosts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        },
        .text("log_level", \.logLevel),
        .optionalText("default_location", \.defaultLocation),
        .text("s3_access_key_id", \.s3AccessKeyID),
        .text("s3_secret_access_key", \.s3SecretAccessKey),
        .optionalText("s3_session_token", \.s3SessionToken),
        Setting("default_quota_size") { $0.defaultQuotaSize = try SettingValue.bytes($1, name: $2) },
        Setting("default_max_file_size") { $0.defaultMaxFileSize = try SettingValue.bytes($1, name: $2) },
        .duration("header_timeout", \.headerTimeout),
        .duration("idle_timeout", \.idleTimeout),
        .duration("body_timeout", \.bodyTimeout),
        .duration("drain_timeout", \.drainTimeout),
        .count("max_connections", \.maxConnections),
        .duration("multipart_expires", \.multipartExpires),
        .duration("fixity_period", \.fixityPeriod),
        Setting("fixity_max_rate") { $0.fixityMaxRate = try SettingValue.rate($1, name: $2) },
        .count("fixity_workers", \.fixityWorkers),
    ]

    /// Applies the TOML file's settings: every key must be one of `table`'s, every value a string, a number or an
    /// array of strings that its reader accepts.
    mutating func apply(toml text: String, path: String) throws {
        let file: TOMLTable
        do {
            file = try TOMLTable(string: text)
        } catch {
            throw ConfigurationError("Invalid configuration file \(path): \(error)")
        }
        for key in file.keys.sorted() {
            guard let setting = Self.table.first(where: { $0.key == key }) else {
                throw ConfigurationError("Unknown setting '\(key)' in \(path); the settings are: \(Self.table.map(\.key).joined(separator: ", ")).")
            }
            guard let value = file[key], let text = Self.text(of: value) else {
                throw ConfigurationError("The setting '\(key)' in \(path) must be a string, a number or a list of strings.")
            }
            try setting.read(&self, text, key)
        }
    }

    /// A TOML value as the text an environment variable would hold (a list of strings: comma-separated).
    static func text(of value: any TOMLValueConvertible) -> String? {
        if let string = value.string { return string }
        if let int = value.int { return String(int) }
        if let double = value.double { return String(double) }
        if let array = value.array {
            let strings = array.map(\.string)
            guard !strings.contains(nil) else { return nil }
            return strings.compactMap { $0 }.joined(separator: ",")
        }
        return nil
    }

    /// Applies the `VELLUM_*` environment variables of `table`'s settings.
    mutating func apply(environment env: [String: String]) throws {
        for setting in Self.table {
            let name = "VELLUM_" + setting.key.uppercased()
            if let text = env[name] { try setting.read(&self, text, name) }
        }
    }

    /// Where records are published (`public_url`, `publisher`, `doi_prefix`).
    var recordsSite: RecordsSite {
        RecordsSite(publicURL: resolvedPublicURL, publisher: self[PIDSettings.self].publisher, doiPrefix: self[PIDSettings.self].doiPrefix)
    }

    /// The records' service: published at `recordsSite`, searched in OpenSearch with `search_url`.
    func records(_ files: FilesContext) throws -> RecordsService {
        RecordsService(files: files, site: recordsSite, searchIndex: try searchURL.map { try OpenSearchIndex(url: $0) })
    }

    /// The fixity scheduler's settings.
    var fixity: FixitySettings {
        FixitySettings(period: .seconds(fixityPeriod), maxRate: fixityMaxRate.map { $0 * 1e6 }, workers: fixityWorkers)
    }

    /// Loads the layers below the flags: defaults, the TOML file (`path`, else `./vellum.toml` if present), env.
    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> Settings
    {
        var settings = Settings()
        let path = configPath ?? (FileManager.default.fileExists(atPath: "vellum.toml") ? "vellum.toml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("Cannot read the configuration file \(path).")
            }
            try settings.apply(toml: text, path: path)
        }
        try settings.apply(environment: environment)
        return settings
    }
}

/// The options every subcommand shares: where the configuration and the data are.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "A TOML configuration file (default: ./vellum.toml when present).")
    var config: String?

    @Option(name: .long, help: "Data directory (VELLUM_DATA_DIR, default ./var).")
    var dataDir: String?

    @Option(name: .long, help: "Database URL (VELLUM_DATABASE_URL, default sqlite://<data-dir>/vellum.sqlite).")
    var databaseURL: String?

    /// Defaults < file < environment < these flags.
    func settings() throws -> Settings {
        var settings = try Settings.load(configPath: config)
        settings.dataDir = dataDir ?? settings.dataDir
        settings.databaseURL = databaseURL ?? settings.databaseURL
        return settings
    }
}

extension SettingsGroup {
    /// The group's settings, read into its value inside the daemon's `Settings`.
    static var settingsTable: [Setting<Settings>] {
        table.map { setting in
            Setting<Settings>(setting.key) { settings, text, name in try setting.read(&settings[Self.self], text, name) }
        }
    }
}

import ArgumentParser
import Foundation
import IIIF
import IIIFGrammar
import TOMLKit
import VellumCore

/// The daemon's configuration: built-in defaults < TOML file < `VELLUM_*` environment < command-line flags.
struct Settings: Sendable, Equatable {
    var host = "127.0.0.1"
    var port = 5000
    var dataDir = "./var"
    var databaseURL: String?
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
    /// IIIF: images with more pixels than this (from the header) are not decoded.
    var iiifMaxPixels = 100_000_000
    /// IIIF: the largest output width and height, and area.
    var iiifMaxSize = 10000
    var iiifMaxArea = 25_000_000
    /// IIIF: images rendered at once, and requests that may wait for them before 503s.
    var iiifThreads = ProcessInfo.processInfo.activeProcessorCount
    var iiifQueue = 64
    var iiifJPEGQuality = 90
    /// IIIF: MB of encoded responses kept in memory.
    var iiifCacheMB = 256
    /// IIIF: MB of decoded pixels one render from an original may hold.
    var iiifRenderMB = 128

    /// The database URL, defaulting to the SQLite file in the data directory.
    var resolvedDatabaseURL: String { databaseURL ?? "sqlite://\(dataDir)/vellum.sqlite" }
    /// The base of `links`, defaulting to the listening address.
    var resolvedPublicURL: String { publicURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Every setting, once: its key (in the TOML file; in the environment `VELLUM_` and the key in capitals) and
    /// how its text is read into `Settings` (type and checks), whose properties hold the defaults;
    /// `docs/configuration.md` documents each key (a test checks). A key the table does not have, in the file, is an
    /// error that names it; so is a value its reader refuses, in the file or the environment.
    static let table: [Setting] = [
        .text("host", \.host),
        Setting("port") { $0.port = try port($1, name: $2) },
        .text("data_dir", \.dataDir),
        .optionalText("database_url", \.databaseURL),
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
        Setting("default_quota_size") { $0.defaultQuotaSize = try bytes($1, name: $2) },
        Setting("default_max_file_size") { $0.defaultMaxFileSize = try bytes($1, name: $2) },
        .duration("header_timeout", \.headerTimeout),
        .duration("idle_timeout", \.idleTimeout),
        .duration("body_timeout", \.bodyTimeout),
        .duration("drain_timeout", \.drainTimeout),
        .count("max_connections", \.maxConnections),
        .duration("multipart_expires", \.multipartExpires),
        .duration("fixity_period", \.fixityPeriod),
        Setting("fixity_max_rate") { $0.fixityMaxRate = try rate($1, name: $2) },
        .count("fixity_workers", \.fixityWorkers),
        .count("iiif_max_pixels", \.iiifMaxPixels),
        .count("iiif_max_size", \.iiifMaxSize),
        .count("iiif_max_area", \.iiifMaxArea),
        .count("iiif_threads", \.iiifThreads),
        .count("iiif_queue", \.iiifQueue),
        .count("iiif_jpeg_quality", \.iiifJPEGQuality),
        .count("iiif_cache_mb", \.iiifCacheMB, zero: true),
        .count("iiif_render_mb", \.iiifRenderMB),
    ]

    /// Applies the TOML file's settings: every key must be one of `table`'s, every value a string, a number or an
    /// array of strings that its reader accepts.
    mutating func apply(toml text: String, path: String) throws {
        let file: TOMLTable
        do {
            file = try TOMLTable(string: text)
        } catch {
            throw ValidationError("Invalid configuration file \(path): \(error)")
        }
        for key in file.keys.sorted() {
            guard let setting = Self.table.first(where: { $0.key == key }) else {
                throw ValidationError("Unknown setting '\(key)' in \(path); the settings are: \(Self.table.map(\.key).joined(separator: ", ")).")
            }
            guard let value = file[key], let text = Self.text(of: value) else {
                throw ValidationError("The setting '\(key)' in \(path) must be a string, a number or a list of strings.")
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

    /// A port number.
    static func port(_ text: String, name: String) throws -> Int {
        guard let port = Int(text.trimmingCharacters(in: .whitespaces)), (0...65535).contains(port) else {
            throw ValidationError("\(name) must be a port number, not '\(text)'.")
        }
        return port
    }

    /// A positive rate in MB/s.
    static func rate(_ text: String, name: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else {
            throw ValidationError("\(name) must be a positive number of MB/s, not '\(text)'.")
        }
        return value
    }

    /// A number of bytes; empty for none.
    static func bytes(_ text: String, name: String) throws -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard let value = Int64(trimmed), value >= 0 else {
            throw ValidationError("\(name) must be a number of bytes, not '\(text)'.")
        }
        return value
    }

    /// A positive whole number (or zero, when `zero` allows it).
    static func count(_ text: String, name: String, zero: Bool = false) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 || (zero && value == 0) else {
            throw ValidationError("\(name) must be a \(zero ? "non-negative" : "positive") whole number, not '\(text)'.")
        }
        return value
    }

    /// The fixity scheduler's settings.
    var fixity: FixitySettings {
        FixitySettings(period: .seconds(fixityPeriod), maxRate: fixityMaxRate.map { $0 * 1e6 }, workers: fixityWorkers)
    }

    /// The IIIF renderer's settings.
    var iiif: IIIFRenderer.Settings {
        IIIFRenderer.Settings(
            maxPixels: iiifMaxPixels, limits: Limits(maxWidth: iiifMaxSize, maxHeight: iiifMaxSize, maxArea: iiifMaxArea),
            jpegQuality: min(iiifJPEGQuality, 100), threads: iiifThreads, queue: iiifQueue, cacheBytes: iiifCacheMB << 20,
            renderBytes: iiifRenderMB << 20, temporaryDirectory: dataDir + "/tmp/iiif")
    }

    /// A positive duration: seconds (`3600`) or a number with a unit (`90s`, `30m`, `12h`, `4d`).
    static func duration(_ text: String, name: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let unit = trimmed.last.flatMap { units[$0] }
        let number = Double(unit == nil ? trimmed : String(trimmed.dropLast()))
        guard let number, number > 0, number.isFinite else {
            throw ValidationError("\(name) must be a duration such as 3600, 90s, 30m, 12h or 4d, not '\(text)'.")
        }
        return number * (unit ?? 1)
    }

    /// Loads the layers below the flags: defaults, the TOML file (`path`, else `./vellum.toml` if present), env.
    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> Settings
    {
        var settings = Settings()
        let path = configPath ?? (FileManager.default.fileExists(atPath: "vellum.toml") ? "vellum.toml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("Cannot read the configuration file \(path).")
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

/// One setting of `Settings.table`: its key, and how a text (from the file or the environment, named `name` in
/// errors) is read into the settings.
struct Setting: Sendable {
    let key: String
    let read: @Sendable (inout Settings, _ text: String, _ name: String) throws -> Void

    init(_ key: String, read: @escaping @Sendable (inout Settings, String, String) throws -> Void) {
        self.key = key
        self.read = read
    }

    static func text(_ key: String, _ field: WritableKeyPath<Settings, String> & Sendable) -> Setting {
        Setting(key) { settings, text, _ in settings[keyPath: field] = text }
    }

    static func optionalText(_ key: String, _ field: WritableKeyPath<Settings, String?> & Sendable) -> Setting {
        Setting(key) { settings, text, _ in settings[keyPath: field] = text }
    }

    static func duration(_ key: String, _ field: WritableKeyPath<Settings, TimeInterval> & Sendable) -> Setting {
        Setting(key) { settings, text, name in settings[keyPath: field] = try Settings.duration(text, name: name) }
    }

    static func count(_ key: String, _ field: WritableKeyPath<Settings, Int> & Sendable, zero: Bool = false) -> Setting {
        Setting(key) { settings, text, name in settings[keyPath: field] = try Settings.count(text, name: name, zero: zero) }
    }
}

import ArgumentParser
import Foundation
import IIIF
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

    /// The keys of the TOML file, which are the environment names without `VELLUM_`, in lowercase.
    struct File: Decodable {
        var host: String?
        var port: Int?
        var data_dir: String?
        var database_url: String?
        var bootstrap_token: String?
        var public_url: String?
        var allowed_hosts: [String]?
        var log_level: String?
        var default_location: String?
        var s3_access_key_id: String?
        var s3_secret_access_key: String?
        var s3_session_token: String?
        var default_quota_size: Int64?
        var default_max_file_size: Int64?
        var header_timeout: DurationText?
        var idle_timeout: DurationText?
        var body_timeout: DurationText?
        var drain_timeout: DurationText?
        var max_connections: Int?
        var multipart_expires: DurationText?
        var fixity_period: DurationText?
        var fixity_max_rate: Double?
        var fixity_workers: Int?
        var iiif_max_pixels: Int?
        var iiif_max_size: Int?
        var iiif_max_area: Int?
        var iiif_threads: Int?
        var iiif_queue: Int?
        var iiif_jpeg_quality: Int?
        var iiif_cache_mb: Int?
        var iiif_render_mb: Int?
    }

    /// A duration in the TOML file: a number of seconds or a string such as "4d".
    struct DurationText: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let seconds = try? value.decode(Int.self) {
                text = String(seconds)
            } else {
                text = try value.decode(String.self)
            }
        }
    }

    mutating func apply(_ file: File) throws {
        host = file.host ?? host
        port = file.port ?? port
        dataDir = file.data_dir ?? dataDir
        databaseURL = file.database_url ?? databaseURL
        bootstrapToken = file.bootstrap_token ?? bootstrapToken
        publicURL = file.public_url ?? publicURL
        allowedHosts = file.allowed_hosts ?? allowedHosts
        logLevel = file.log_level ?? logLevel
        defaultLocation = file.default_location ?? defaultLocation
        s3AccessKeyID = file.s3_access_key_id ?? s3AccessKeyID
        s3SecretAccessKey = file.s3_secret_access_key ?? s3SecretAccessKey
        s3SessionToken = file.s3_session_token ?? s3SessionToken
        for (key, field, setting) in Self.limits {
            if let value = file[keyPath: field] { self[keyPath: setting] = try Self.bytes(String(value), name: key) }
        }
        for (key, field, setting) in Self.timeouts {
            if let value = file[keyPath: field] { self[keyPath: setting] = try Self.duration(value.text, name: key) }
        }
        if let value = file.max_connections { maxConnections = try Self.count(String(value), name: "max_connections") }
        if let value = file.multipart_expires { multipartExpires = try Self.duration(value.text, name: "multipart_expires") }
        if let value = file.fixity_period { fixityPeriod = try Self.duration(value.text, name: "fixity_period") }
        if let value = file.fixity_max_rate { fixityMaxRate = try Self.rate(String(value), name: "fixity_max_rate") }
        if let value = file.fixity_workers { fixityWorkers = try Self.count(String(value), name: "fixity_workers") }
        for (key, field, setting) in Self.iiifCounts {
            if let value = file[keyPath: field] {
                self[keyPath: setting] = try Self.count(String(value), name: key, zero: key == "iiif_cache_mb")
            }
        }
    }

    /// The default bucket limits, by TOML key (the environment name is `VELLUM_` and the key in capitals).
    static var limits: [(String, KeyPath<File, Int64?>, WritableKeyPath<Settings, Int64?>)] {
        [
            ("default_quota_size", \.default_quota_size, \.defaultQuotaSize),
            ("default_max_file_size", \.default_max_file_size, \.defaultMaxFileSize),
        ]
    }

    /// The connection timeouts: TOML key, its field in the file, the setting.
    static var timeouts: [(String, KeyPath<File, DurationText?>, WritableKeyPath<Settings, TimeInterval>)] {
        [
            ("header_timeout", \.header_timeout, \.headerTimeout), ("idle_timeout", \.idle_timeout, \.idleTimeout),
            ("body_timeout", \.body_timeout, \.bodyTimeout), ("drain_timeout", \.drain_timeout, \.drainTimeout),
        ]
    }

    /// The IIIF settings, each a whole number (positive, or zero for the cache): TOML key (the environment name is
    /// `VELLUM_` and the key in capitals), its field in the file, the setting.
    static var iiifCounts: [(String, KeyPath<File, Int?>, WritableKeyPath<Settings, Int>)] {
        [
            ("iiif_max_pixels", \.iiif_max_pixels, \.iiifMaxPixels), ("iiif_max_size", \.iiif_max_size, \.iiifMaxSize),
            ("iiif_max_area", \.iiif_max_area, \.iiifMaxArea), ("iiif_threads", \.iiif_threads, \.iiifThreads),
            ("iiif_queue", \.iiif_queue, \.iiifQueue), ("iiif_jpeg_quality", \.iiif_jpeg_quality, \.iiifJPEGQuality),
            ("iiif_cache_mb", \.iiif_cache_mb, \.iiifCacheMB), ("iiif_render_mb", \.iiif_render_mb, \.iiifRenderMB),
        ]
    }

    mutating func apply(environment env: [String: String]) throws {
        host = env["VELLUM_HOST"] ?? host
        if let value = env["VELLUM_PORT"] {
            guard let port = Int(value), (0...65535).contains(port) else {
                throw ValidationError("VELLUM_PORT must be a port number, not '\(value)'.")
            }
            self.port = port
        }
        dataDir = env["VELLUM_DATA_DIR"] ?? dataDir
        databaseURL = env["VELLUM_DATABASE_URL"] ?? databaseURL
        bootstrapToken = env["VELLUM_BOOTSTRAP_TOKEN"] ?? bootstrapToken
        publicURL = env["VELLUM_PUBLIC_URL"] ?? publicURL
        if let hosts = env["VELLUM_ALLOWED_HOSTS"] {
            allowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        logLevel = env["VELLUM_LOG_LEVEL"] ?? logLevel
        defaultLocation = env["VELLUM_DEFAULT_LOCATION"] ?? defaultLocation
        s3AccessKeyID = env["VELLUM_S3_ACCESS_KEY_ID"] ?? s3AccessKeyID
        s3SecretAccessKey = env["VELLUM_S3_SECRET_ACCESS_KEY"] ?? s3SecretAccessKey
        s3SessionToken = env["VELLUM_S3_SESSION_TOKEN"] ?? s3SessionToken
        for (key, _, setting) in Self.limits {
            let name = "VELLUM_" + key.uppercased()
            if let value = env[name] { self[keyPath: setting] = try Self.bytes(value, name: name) }
        }
        for (key, _, setting) in Self.timeouts {
            let name = "VELLUM_" + key.uppercased()
            if let value = env[name] { self[keyPath: setting] = try Self.duration(value, name: name) }
        }
        if let value = env["VELLUM_MAX_CONNECTIONS"] { maxConnections = try Self.count(value, name: "VELLUM_MAX_CONNECTIONS") }
        if let value = env["VELLUM_MULTIPART_EXPIRES"] {
            multipartExpires = try Self.duration(value, name: "VELLUM_MULTIPART_EXPIRES")
        }
        if let value = env["VELLUM_FIXITY_PERIOD"] { fixityPeriod = try Self.duration(value, name: "VELLUM_FIXITY_PERIOD") }
        if let value = env["VELLUM_FIXITY_MAX_RATE"] { fixityMaxRate = try Self.rate(value, name: "VELLUM_FIXITY_MAX_RATE") }
        if let value = env["VELLUM_FIXITY_WORKERS"] { fixityWorkers = try Self.count(value, name: "VELLUM_FIXITY_WORKERS") }
        for (key, _, setting) in Self.iiifCounts {
            let name = "VELLUM_" + key.uppercased()
            if let value = env[name] { self[keyPath: setting] = try Self.count(value, name: name, zero: key == "iiif_cache_mb") }
        }
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
            do {
                try settings.apply(try TOMLDecoder().decode(File.self, from: text))
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("Invalid configuration file \(path): \(error)")
            }
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

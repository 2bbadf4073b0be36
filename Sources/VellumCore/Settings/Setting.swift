import Foundation

/// One setting: its key (in the TOML file; in the environment `VELLUM_` and the key in capitals) and how its text
/// (named `name` in errors) is read into the value that holds it (`Root`, whose properties hold the defaults).
/// A reader that refuses a text throws a `ConfigurationError` naming the setting.
public struct Setting<Root>: Sendable {
    public let key: String
    public let read: @Sendable (inout Root, _ text: String, _ name: String) throws -> Void

    public init(_ key: String, read: @escaping @Sendable (inout Root, String, String) throws -> Void) {
        self.key = key
        self.read = read
    }

    public static func text(_ key: String, _ field: WritableKeyPath<Root, String> & Sendable) -> Setting {
        Setting(key) { root, text, _ in root[keyPath: field] = text }
    }

    public static func optionalText(_ key: String, _ field: WritableKeyPath<Root, String?> & Sendable) -> Setting {
        Setting(key) { root, text, _ in root[keyPath: field] = text }
    }

    public static func duration(_ key: String, _ field: WritableKeyPath<Root, TimeInterval> & Sendable) -> Setting {
        Setting(key) { root, text, name in root[keyPath: field] = try SettingValue.duration(text, name: name) }
    }

    public static func count(_ key: String, _ field: WritableKeyPath<Root, Int> & Sendable, zero: Bool = false) -> Setting {
        Setting(key) { root, text, name in root[keyPath: field] = try SettingValue.count(text, name: name, zero: zero) }
    }
}

import Foundation

/// How a setting's text is read, for each type of value; a refusal names the setting (`name`: its key in the
/// file, or its environment variable).
public enum SettingValue {
    /// A port number.
    public static func port(_ text: String, name: String) throws -> Int {
        guard let port = Int(text.trimmingCharacters(in: .whitespaces)), (0...65535).contains(port) else {
            throw ConfigurationError("\(name) must be a port number, not '\(text)'.")
        }
        return port
    }

    /// A positive rate in MB/s.
    public static func rate(_ text: String, name: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else {
            throw ConfigurationError("\(name) must be a positive number of MB/s, not '\(text)'.")
        }
        return value
    }

    /// A number of bytes; empty for none.
    public static func bytes(_ text: String, name: String) throws -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        guard let value = Int64(trimmed), value >= 0 else {
            throw ConfigurationError("\(name) must be a number of bytes, not '\(text)'.")
        }
        return value
    }

    /// A positive whole number (or zero, when `zero` allows it).
    public static func count(_ text: String, name: String, zero: Bool = false) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 || (zero && value == 0) else {
            throw ConfigurationError("\(name) must be a \(zero ? "non-negative" : "positive") whole number, not '\(text)'.")
        }
        return value
    }

    /// A positive duration: seconds (`3600`) or a number with a unit (`90s`, `30m`, `12h`, `4d`).
    public static func duration(_ text: String, name: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let unit = trimmed.last.flatMap { units[$0] }
        let number = Double(unit == nil ? trimmed : String(trimmed.dropLast()))
        guard let number, number > 0, number.isFinite else {
            throw ConfigurationError("\(name) must be a duration such as 3600, 90s, 30m, 12h or 4d, not '\(text)'.")
        }
        return number * (unit ?? 1)
    }
}

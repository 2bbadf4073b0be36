import Foundation
import JSONSchema

/// Who may see a record and its files (api.md §7): `record` and `files`, each public or restricted, and an embargo
/// that keeps both restricted until its day (UTC) starts, and then lifts by itself.
public struct RecordAccess: Sendable, Equatable {
    public enum Level: String, Sendable {
        case `public`
        case restricted
    }

    public struct Embargo: Sendable, Equatable {
        /// `YYYY-MM-DD`: the day the embargo lifts, at its start, UTC.
        public var until: String
        public var reason: String?

        public init(until: String, reason: String? = nil) {
            self.until = until
            self.reason = reason
        }

        /// The instant it lifts (nil for a day that does not exist).
        public var lifts: Date? {
            let parts = until.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
            else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let components = DateComponents(year: year, month: month, day: day)
            guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
            return date
        }
    }

    public var record: Level
    public var files: Level
    public var embargo: Embargo?

    public init(record: Level = .public, files: Level = .public, embargo: Embargo? = nil) {
        self.record = record
        self.files = files
        self.embargo = embargo
    }

    /// Whether anyone may see the record's metadata, and its files, at `date`.
    public func isPublic(at date: Date) -> (record: Bool, files: Bool) {
        if let lifts = embargo?.lifts, date < lifts { return (false, false) }
        return (record == .public, record == .public && files == .public)
    }

    /// The access of a request body's `access` (nil or absent: public, public, no embargo), or why it is wrong:
    /// the JSON pointer of the wrong value and a message.
    public init(json: JSON?) throws(RecordsError) {
        self.init()
        guard let json, json != .null else { return }
        guard let members = json.objectValue else { throw RecordsError.invalid([("/access", "must be an object")]) }
        var problems: [(String, String)] = []
        for (key, value) in members {
            switch key {
            case "record", "files":
                guard let level = value.stringValue.flatMap(Level.init(rawValue:)) else {
                    problems.append(("/access/\(key)", "must be \"public\" or \"restricted\""))
                    continue
                }
                if key == "record" { record = level } else { files = level }
            case "embargo":
                if value == .null { continue }
                guard let until = value["until"]?.stringValue, Embargo(until: until).lifts != nil else {
                    problems.append(("/access/embargo/until", "must be a day, YYYY-MM-DD"))
                    continue
                }
                let reason = value["reason"]
                if let reason, reason != .null, reason.stringValue == nil {
                    problems.append(("/access/embargo/reason", "must be a string"))
                }
                embargo = Embargo(until: until, reason: reason?.stringValue)
            default:
                problems.append(("/access/\(key)", "is not a member of access"))
            }
        }
        if !problems.isEmpty { throw RecordsError.invalid(problems.sorted { $0.0 < $1.0 }) }
    }

    /// As records show it.
    public var json: JSON {
        var members: [String: JSON] = ["record": .string(record.rawValue), "files": .string(files.rawValue), "embargo": .null]
        if let embargo {
            members["embargo"] = .object(["until": .string(embargo.until), "reason": embargo.reason.map(JSON.string) ?? .null])
        }
        return .object(members)
    }
}

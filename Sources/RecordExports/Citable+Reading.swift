import Foundation
import JSONSchema

extension Citable {
    /// A creator of the built-in schema (`name`, `orcid`, `affiliation`), or nil when it has no name.
    static func creator(_ value: JSON) -> Creator? {
        guard let name = text(value["name"]) else { return nil }
        let orcid = text(value["orcid"]).flatMap(orcidDigits)
        let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let split = parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
        return Creator(
            name: name, family: split ? parts[0] : nil, given: split ? parts[1] : nil, orcid: orcid, affiliation: text(value["affiliation"]),
            isPerson: split || orcid != nil ? true : nil)
    }

    /// A string value, trimmed and cleaned; nil for any other JSON type and for what is empty once cleaned.
    static func text(_ value: JSON?) -> String? { value?.stringValue.flatMap(clean) }

    /// The text without the control characters XML 1.0 cannot hold (tab and line breaks stay, every line break as
    /// `\n`), trimmed; nil when nothing is left.
    static func clean(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            out.append(scalar)
        }
        let trimmed = String(out).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` of a real day.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } })
        else { return false }
        let numbers = parts.compactMap { Int($0) }
        var components = DateComponents(year: numbers[0], month: numbers.count > 1 ? numbers[1] : 1, day: numbers.count > 2 ? numbers[2] : 1)
        components.calendar = Calendar(identifier: .gregorian)
        return numbers[0] >= 1 && components.isValidDate
    }

    /// `YYYY-MM-DD` of an instant, in UTC.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// The 16 characters of an ORCID iD given bare or as `https://orcid.org/…`, when they have its shape.
    static func orcidDigits(_ text: String) -> String? {
        var value = Substring(text)
        for prefix in ["https://orcid.org/", "http://orcid.org/", "orcid.org/"] where value.lowercased().hasPrefix(prefix) {
            value = value.dropFirst(prefix.count)
        }
        let shape = Array(value.utf8)
        guard shape.count == 19 else { return nil }
        for (n, byte) in shape.enumerated() {
            let valid =
                switch n {
                case 4, 9, 14: byte == UInt8(ascii: "-")
                case 18: (0x30...0x39).contains(byte) || byte == UInt8(ascii: "X")
                default: (0x30...0x39).contains(byte)
                }
            if !valid { return nil }
        }
        return String(value)
    }

    /// An SPDX licence identifier's shape: an ASCII letter or digit, then letters, digits, `.`, `-` and `+`.
    static func isSPDX(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isLetterOrDigit(first) else { return false }
        return text.unicodeScalars.allSatisfy { isLetterOrDigit($0) || $0 == "." || $0 == "-" || $0 == "+" }
    }

    /// A language tag's shape (BCP 47, as `xs:language` reads it): 1 to 8 letters, then subtags of 1 to 8 letters and
    /// digits after hyphens.
    static func isLanguage(_ text: String) -> Bool {
        let subtags = text.split(separator: "-", omittingEmptySubsequences: false)
        return subtags.enumerated().allSatisfy { n, subtag in
            (1...8).contains(subtag.unicodeScalars.count)
                && subtag.unicodeScalars.allSatisfy { n == 0 ? $0.properties.isAlphabetic && $0.isASCII : isLetterOrDigit($0) }
        }
    }

    /// An ASCII letter or digit.
    static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }
}

import Foundation

/// `format` as an assertion (when asked for): the formats records use, checked by their RFCs' grammars. Formats
/// it does not know pass.
enum Formats {
    static func check(_ format: String, _ s: String) -> Bool {
        switch format {
        case "date": return date(s)
        case "time": return time(s)
        case "date-time":
            let parts = s.split(separator: "T", maxSplits: 1).flatMap { $0.split(separator: "t", maxSplits: 1) }
            return parts.count == 2 && date(String(parts[0])) && time(String(parts[1]))
        case "email": return email(s)
        case "hostname": return hostname(s)
        case "ipv4": return ipv4(s)
        case "ipv6": return ipv6(s)
        case "uri": return SchemaRegistry.hasScheme(s) && uriReference(s)
        case "uri-reference": return uriReference(s)
        case "uuid": return s.count == 36 && UUID(uuidString: s) != nil
        case "regex": return (try? NSRegularExpression(pattern: s)) != nil
        case "json-pointer": return (try? JSONPointer(s)) != nil
        case "duration": return Evaluator.matches(#"^P(?!$)(([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?|[0-9]+W)$"#, s)
        default: return true
        }
    }

    static func date(_ s: String) -> Bool {
        guard Evaluator.matches(#"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, s) else { return false }
        let parts = s.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return false }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    static func time(_ s: String) -> Bool {
        let pattern = #"^([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([zZ]|[+-]([0-9]{2}):([0-9]{2}))$"#
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: s, range: NSRange(s.startIndex..., in: s))
        else { return false }
        func number(_ group: Int) -> Int? {
            guard let range = Range(match.range(at: group), in: s) else { return nil }
            return Int(s[range])
        }
        guard let hour = number(1), let minute = number(2), let second = number(3), hour < 24, minute < 60, second < 61 else {
            return false
        }
        if let offsetHours = number(6), let offsetMinutes = number(7), offsetHours > 23 || offsetMinutes > 59 { return false }
        if second == 60 {
            // A leap second is 23:59:60 in UTC only.
            let sign = s.contains("-") ? -1 : 1
            let offset = sign * ((number(6) ?? 0) * 60 + (number(7) ?? 0))
            let utc = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func email(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@"), at != s.startIndex else { return false }
        let local = s[..<at]
        let domain = String(s[s.index(after: at)...])
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return false }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let inner = String(domain.dropFirst().dropLast())
            return inner.hasPrefix("IPv6:") ? ipv6(String(inner.dropFirst(5))) : ipv4(inner)
        }
        return hostname(domain)
    }

    static func hostname(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        let host = s.hasSuffix(".") ? String(s.dropLast()) : s
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func ipv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber } && (part == "0" || !part.hasPrefix("0"))
                    && Int(part)! <= 255
            }
    }

    static func ipv6(_ s: String) -> Bool {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        var text = s
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[lastColon...].contains(".") {
            guard ipv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = String(text[...lastColon]) + "0:0"
            groupsNeeded = 8
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let groups = part.split(separator: ":", omittingEmptySubsequences: false)
            return groups.allSatisfy { !$0.isEmpty && $0.count <= 4 && !$0.contains(".") } ? groups : nil
        }
        guard let left = groups(halves[0]) else { return false }
        if halves.count == 1 { return left.count == groupsNeeded }
        guard let right = groups(halves[1]) else { return false }
        return left.count + right.count < groupsNeeded
    }

    static func uriReference(_ s: String) -> Bool {
        guard !s.contains(" "), !s.contains("\\"), s.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 }) else { return false }
        return URLComponents(string: s) != nil
    }
}

/// A year, a month or a day (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, years 1 to 9999, real days only): its first day and
/// the first day after it (nil after 9999), each `YYYY-MM-DD`.
struct DatePeriod: Hashable {
    let first: String
    let next: String?

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }),
            parts.allSatisfy({ $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } })
        else { return nil }
        let numbers = parts.map { Int($0)! }
        let year = numbers[0]
        let month = numbers.count > 1 ? numbers[1] : 1
        let day = numbers.count > 2 ? numbers[2] : 1
        guard year >= 1, (1...12).contains(month), (1...Self.days(in: month, of: year)).contains(day) else { return nil }
        first = Self.format(year, month, day)
        switch numbers.count {
        case 1: next = year < 9999 ? Self.format(year + 1, 1, 1) : nil
        case 2: next = month < 12 ? Self.format(year, month + 1, 1) : year < 9999 ? Self.format(year + 1, 1, 1) : nil
        default:
            if day < Self.days(in: month, of: year) {
                next = Self.format(year, month, day + 1)
            } else if month < 12 {
                next = Self.format(year, month + 1, 1)
            } else {
                next = year < 9999 ? Self.format(year + 1, 1, 1) : nil
            }
        }
    }

    static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func format(_ year: Int, _ month: Int, _ day: Int) -> String {
        func padded(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }
}

import Foundation

/// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) is the one form generated; all three
/// forms are parsed, as the RFC requires of recipients. Every field is range-checked before any arithmetic, so no
/// input can overflow: a value that is not a real date is nil, and callers ignore it.
public enum HTTPDate {
    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func string(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return String(repeating: "0", count: max(width - digits.count, 0)) + digits
        }
        return "\(days[Int(parts.tm_wday)]), \(padded(Int(parts.tm_mday), 2)) \(months[Int(parts.tm_mon)]) "
            + "\(padded(Int(parts.tm_year) + 1900, 4)) "
            + "\(padded(Int(parts.tm_hour), 2)):\(padded(Int(parts.tm_min), 2)):\(padded(Int(parts.tm_sec), 2)) GMT"
    }

    /// The date `text` holds in any of the three forms, or nil.
    public static func parse(_ text: String) -> Date? { parse(text, now: Date()) }

    /// `now` places RFC 850's two-digit years.
    static func parse(_ text: String, now: Date) -> Date? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        switch fields.count {
        case 6:  // Sun, 06 Nov 1994 08:49:37 GMT
            guard fields[0].hasSuffix(","), days.contains(String(fields[0].dropLast())), fields[5] == "GMT",
                fields[1].count == 2, fields[3].count == 4
            else { return nil }
            return make(year: fields[3], month: fields[2], day: fields[1], clock: fields[4])
        case 4:  // Sunday, 06-Nov-94 08:49:37 GMT
            guard fields[0].hasSuffix(","), longDays.contains(String(fields[0].dropLast())), fields[3] == "GMT" else {
                return nil
            }
            let date = fields[1].split(separator: "-", omittingEmptySubsequences: false)
            guard date.count == 3, date[0].count == 2, date[2].count == 2, let yy = number(date[2]) else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future is the most recent past one.
            var seconds = time_t(now.timeIntervalSince1970)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let thisYear = Int(parts.tm_year) + 1900
            var year = thisYear - thisYear % 100 + yy
            if year > thisYear + 50 { year -= 100 }
            return make(year: Substring(String(year)), month: date[1], day: date[0], clock: fields[2])
        case 5:  // Sun Nov  6 08:49:37 1994
            guard days.contains(String(fields[0])), (1...2).contains(fields[2].count), fields[4].count == 4 else {
                return nil
            }
            return make(year: fields[4], month: fields[1], day: fields[2], clock: fields[3])
        default:
            return nil
        }
    }

    /// The instant of a date and a `hh:mm:ss` clock, each field checked against its range; nil otherwise.
    static func make(year: Substring, month: Substring, day: Substring, clock: Substring) -> Date? {
        let time = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard let monthIndex = months.firstIndex(of: String(month)), let year = number(year), let day = number(day),
            time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let hour = number(time[0]), let minute = number(time[1]), let second = number(time[2]),
            (1...9999).contains(year), hour < 24, minute < 60, second < 61,
            (1...daysIn(month: monthIndex + 1, year: year)).contains(day)
        else { return nil }
        let seconds =
            daysSinceEpoch(year: year, month: monthIndex + 1, day: day) * 86_400 + hour * 3600 + minute * 60
            + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// A run of at most four ASCII digits (no signs, no spaces), so that no field can be large.
    static func number(_ text: Substring) -> Int? {
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int(text)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

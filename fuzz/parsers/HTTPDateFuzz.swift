import Foundation
import VellumCore

// HTTPDate (Sources/VellumCore/HTTPDate.swift). Every input is used three ways:
// 1. as header text: parse never traps and agrees with `oracle`, the three HTTP-date forms of RFC 9110 §5.6.7
//    written from the RFC (nil for anything that is not a real date, as api.md wants out-of-range dates ignored);
//    a date it returns formats to a string that parses back to it;
// 2. as numbers of every integer width (extreme years, day 32, hour 25...) formatted in one of the three forms:
//    the same checks;
// 3. as an instant in years 1000-9999: string() must be the exact IMF-fixdate an independent calendar gives,
//    and parse back to the second.

private let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
private let longWeekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
private let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPDate(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzBytes(start, count)
    checkParse(input.text)
    checkParse(structuredDate(&input))
    checkFormat(&input)
    return 0
}

private func checkParse(_ text: String) {
    let date = HTTPDate.parse(text)
    let expected = oracle(text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    require(
        date == expected,
        "HTTPDate.parse(\(show(text))) is \(date.map { "\($0)" } ?? "nil"), RFC 9110 says \(expected.map { "\($0)" } ?? "nil (ignore it)")")
    guard let date else { return }
    let formatted = HTTPDate.string(date)
    require(HTTPDate.parse(formatted) == date, "\(show(text)) parsed to \(date), formatted \(show(formatted)), which does not parse back")
}

/// Seconds since 1970 of an HTTP-date (IMF-fixdate, RFC 850 or asctime; runs of spaces separate fields, as the
/// parser has it), or nil when it is malformed or not a real date of years 1-9999. Second 60 (a leap second)
/// counts as the next minute's 0.
private func oracle(_ text: String) -> Int64? {
    func digits(_ s: Substring, _ widths: ClosedRange<Int>) -> Int64? {
        let bytes = Array(s.utf8)
        guard widths.contains(bytes.count), bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
    }
    func month(_ s: Substring) -> Int64? { months.firstIndex(of: String(s)).map { Int64($0) + 1 } }
    let f = text.split(separator: " ")
    var year: Int64?
    var mon: Int64?
    var day: Int64?
    var clock: Substring
    switch f.count {
    case 6:
        guard f[0].hasSuffix(","), weekdays.contains(String(f[0].dropLast())), f[5] == "GMT" else { return nil }
        (day, mon, year, clock) = (digits(f[1], 2...2), month(f[2]), digits(f[3], 4...4), f[4])
    case 4:
        let d = f[1].split(separator: "-", omittingEmptySubsequences: false)
        guard f[0].hasSuffix(","), longWeekdays.contains(String(f[0].dropLast())), f[3] == "GMT", d.count == 3,
            let yy = digits(d[2], 2...2)
        else { return nil }
        var parts = tm()
        var now = time(nil)
        gmtime_r(&now, &parts)
        let thisYear = Int64(parts.tm_year) + 1900
        year = thisYear - thisYear % 100 + yy
        if year! > thisYear + 50 { year! -= 100 }  // RFC 9110: not more than 50 years in the future
        (day, mon, clock) = (digits(d[0], 2...2), month(d[1]), f[2])
    case 5:
        guard weekdays.contains(String(f[0])) else { return nil }
        (mon, day, clock, year) = (month(f[1]), digits(f[2], 1...2), f[3], digits(f[4], 4...4))
    default:
        return nil
    }
    let hms = clock.split(separator: ":", omittingEmptySubsequences: false)
    guard let year, let mon, let day, hms.count == 3, let h = digits(hms[0], 2...2), let m = digits(hms[1], 2...2),
        let s = digits(hms[2], 2...2), (1...9999).contains(year), (1...Civil.daysIn(month: mon, year: year)).contains(day),
        h < 24, m < 60, s <= 60
    else { return nil }
    return Civil.days(year: year, month: mon, day: day) * 86400 + h * 3600 + m * 60 + s
}

/// One of the three forms with numbers of every width in its fields.
private func structuredDate(_ input: inout FuzzBytes) -> String {
    let form = input.byte() % 3
    let weekday = Int(input.byte() % 7)
    let monthIndex = Int(input.byte() % 13)
    let day = input.number()
    let year = input.number()
    let hour = input.number()
    let minute = input.number()
    let second = input.number()
    func two(_ n: Int64) -> String { (0...9).contains(n) ? "0\(n)" : "\(n)" }
    func four(_ n: Int64) -> String { (0...999).contains(n) ? String(repeating: "0", count: 4 - "\(n)".count) + "\(n)" : "\(n)" }
    let mon = monthIndex < 12 ? months[monthIndex] : "Foo"
    let clock = "\(two(hour)):\(two(minute)):\(two(second))"
    switch form {
    case 0: return "\(weekdays[weekday]), \(two(day)) \(mon) \(four(year)) \(clock) GMT"
    case 1: return "\(longWeekdays[weekday]), \(two(day))-\(mon)-\(two(year)) \(clock) GMT"
    default: return "\(weekdays[weekday]) \(mon) \((0...9).contains(day) ? " \(day)" : "\(day)") \(clock) \(four(year))"
    }
}

private func checkFormat(_ input: inout FuzzBytes) {
    let first = Civil.days(year: 1000, month: 1, day: 1) * 86400
    let last = Civil.days(year: 10000, month: 1, day: 1) * 86400 - 1
    let seconds = first + Int64(input.uint64() % UInt64(last - first + 1))
    let fraction = Double(input.byte()) / 256
    let text = HTTPDate.string(Date(timeIntervalSince1970: TimeInterval(seconds) + fraction))
    let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
    let rest = seconds - days * 86400
    let (year, month, day) = Civil.date(days: days)
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let expected =
        "\(weekdays[Int(((days % 7) + 11) % 7)]), \(two(day)) \(months[Int(month - 1)]) \(year) "
        + "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) GMT"
    require(text == expected, "HTTPDate.string(\(seconds) s + \(fraction)) is \(show(text)), expected \(show(expected))")
    require(
        HTTPDate.parse(text) == Date(timeIntervalSince1970: TimeInterval(seconds)),
        "\(show(text)) does not parse back to \(seconds) s since 1970")
}

import Foundation

// Shared by every libFuzzer target (each target is this file, one *Fuzz.swift file and the sources it checks).

/// The fuzzer's bytes, read front to back as structured values; reads past the end give zeros.
struct FuzzBytes {
    let all: [UInt8]
    private var offset = 0

    init(_ start: UnsafeRawPointer, _ count: Int) {
        all = Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    mutating func byte() -> UInt8 {
        guard offset < all.count else { return 0 }
        defer { offset += 1 }
        return all[offset]
    }

    mutating func uint64() -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(byte()) << (8 * UInt64($1)) } }

    /// A signed number whose class the fuzzer picks (small, byte-sized, 32-bit, 64-bit, or near a boundary of some
    /// integer width), so that boundary values of every width come up often.
    mutating func number() -> Int64 {
        switch byte() % 5 {
        case 0: return Int64(byte() % 100)
        case 1: return Int64(Int8(bitPattern: byte()))
        case 2: return Int64(Int32(truncatingIfNeeded: uint64()))
        case 3: return Int64(bitPattern: uint64())
        default:
            let boundaries: [Int64] = [
                0, 1900, 9999, 10000, Int64(Int16.min), Int64(Int16.max), Int64(UInt16.max), Int64(Int32.min),
                Int64(Int32.max), Int64(UInt32.max), Int64.min, Int64.max, 1 << 53,
            ]
            let base = boundaries[Int(byte()) % boundaries.count]
            let offset = Int64(Int8(bitPattern: byte()))
            return base.addingReportingOverflow(offset).partialValue
        }
    }

    /// The whole input as text, invalid UTF-8 repaired (as a server decoding a header would).
    var text: String { String(decoding: all, as: UTF8.self) }
}

/// Fails the run when an invariant does not hold: libFuzzer then saves the input as `crash-<sha1>` and stops.
func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, line: UInt = #line, file: StaticString = #fileID
) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("\nINVARIANT FAILED at \(file):\(line): \(message())\n".utf8))
    abort()
}

/// Text shown in failure messages: quoted, with control and non-ASCII characters escaped.
func show(_ text: some StringProtocol) -> String { String(reflecting: String(text)) }

/// Proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms), an oracle independent of libc.
enum Civil {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func date(days z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
    }
}

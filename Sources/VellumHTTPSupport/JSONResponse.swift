import Foundation
import Hummingbird

/// JSON response bodies, all written with `JSONWriter`.
public enum JSONResponse {
    @inlinable
    public static func make(_ value: some JSONWritable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        make(status: status, headers: headers) { value.write(to: &$0) }
    }

    @inlinable
    public static func make(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], _ write: (inout JSONWriter) -> Void)
        -> Response
    {
        var json = JSONWriter()
        write(&json)
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: json.buffer))
    }
}

/// ISO-8601 UTC timestamps with microseconds and `+00:00`, as Invenio prints them.
public enum Timestamp {
    /// Writes the timestamp's characters (without quotes) straight into `buffer`: listings write thousands.
    @inlinable
    public static func write(_ date: Date, to buffer: inout ByteBuffer) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                buffer.writeInteger(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        buffer.writeInteger(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        buffer.writeInteger(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        buffer.writeInteger(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        buffer.writeInteger(UInt8(ascii: "."))
        digits(Int(micros % 1_000_000), 6)
        buffer.writeStaticString("+00:00")
    }

    public static func string(_ date: Date) -> String {
        var buffer = ByteBuffer()
        write(date, to: &buffer)
        return String(buffer: buffer)
    }

    /// An ISO 8601 time with a zone (`Z` or `±hh:mm`) and up to microseconds, as `write` gives them; nil otherwise.
    public static func parse(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: ".") else { return ISO8601DateFormatter().date(from: text) }
        let fraction = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
        guard !fraction.isEmpty, fraction.count <= 9,
            let whole = ISO8601DateFormatter().date(from: String(text[..<dot]) + text[text.index(after: dot)...].dropFirst(fraction.count)),
            let digits = Double("0." + fraction)
        else { return nil }
        return Date(timeIntervalSince1970: whole.timeIntervalSince1970 + (digits * 1_000_000).rounded() / 1_000_000)
    }
}

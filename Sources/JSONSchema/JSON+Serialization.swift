extension JSON {
    /// The value as compact JSON text (no whitespace).
    ///
    /// Integral numbers below 2^53 in magnitude are written as integers; other numbers in the shortest form that
    /// reads back as the same `Double`. Non-finite numbers, which parsing never produces, are written as `null`.
    /// Object members come in dictionary order, or sorted by Unicode code point when `sortedKeys` is true.
    /// Strings escape only `"`, `\` and control characters.
    public func serialized(sortedKeys: Bool = false) -> String {
        var writer = JSONWriter(keyOrder: sortedKeys ? .codePoints : .unordered, canonicalNumbers: false)
        writer.write(self)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// The RFC 8785 (JSON Canonicalization Scheme) form of the value, in UTF-8: members sorted by the UTF-16 code
    /// units of their keys, numbers formatted as ECMAScript does, strings minimally escaped, no whitespace.
    /// Non-finite numbers, which RFC 8785 forbids and parsing never produces, are written as `null`.
    public var canonical: [UInt8] {
        var writer = JSONWriter(keyOrder: .utf16CodeUnits, canonicalNumbers: true)
        writer.write(self)
        return writer.output
    }
}

/// Writes JSON text into a byte buffer; `serialized(sortedKeys:)` and `canonical` are its interface.
struct JSONWriter {
    enum KeyOrder {
        case unordered, codePoints, utf16CodeUnits
    }

    let keyOrder: KeyOrder
    let canonicalNumbers: Bool
    var output: [UInt8] = []

    init(keyOrder: KeyOrder, canonicalNumbers: Bool) {
        self.keyOrder = keyOrder
        self.canonicalNumbers = canonicalNumbers
    }

    mutating func write(_ value: JSON) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(canonicalNumbers ? Self.ecmaScriptText(number) : Self.shortestText(number))
        case .string(let string): write(string)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, key) in orderedKeys(members).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(key)
                output.append(UInt8(ascii: ":"))
                write(members[key]!)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    func orderedKeys(_ members: [String: JSON]) -> [String] {
        switch keyOrder {
        case .unordered: Array(members.keys)
        case .codePoints: members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        case .utf16CodeUnits: members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        }
    }

    /// Writes a quoted string, escaping `"`, `\` and U+0000 to U+001F (short forms where JSON has them).
    mutating func write(_ string: String) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            case 0..<0x20:
                append("\\u00")
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Integral numbers below 2^53 as integers (`-0` keeps its sign), others in Swift's shortest round-trip form
    /// (without a trailing `.0`).
    static func shortestText(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number.rounded(.towardZero) == number && abs(number) < 9_007_199_254_740_992 {
            if number == 0 && number.sign == .minus { return "-0" }
            return String(Int64(number))
        }
        let text = number.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The ECMAScript `Number.prototype.toString` form RFC 8785 requires, built from the shortest round-trip
    /// digits (which Swift's `description` yields, as ECMAScript asks).
    static func ecmaScriptText(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return "0" }
        let sign = number < 0 ? "-" : ""
        // Split the description into significant digits and n, so that the value is 0.digits × 10^n.
        let text = abs(number).description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        var digits = Array(mantissa[0].utf8) + (mantissa.count == 2 ? Array(mantissa[1].utf8) : [])
        var n = mantissa[0].utf8.count + exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let k = digits.count
        let digitText = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            return sign + digitText + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return sign + String(digitText.prefix(n)) + "." + String(digitText.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return sign + "0." + String(repeating: "0", count: -n) + digitText
        }
        let exponentText = (n - 1 < 0 ? "-" : "+") + String(abs(n - 1))
        if k == 1 { return sign + digitText + "e" + exponentText }
        return sign + String(digitText.prefix(1)) + "." + String(digitText.dropFirst(1)) + "e" + exponentText
    }
}

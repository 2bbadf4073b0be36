/// Escaping for text placed in HTML: element content and double-quoted attribute values.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` as character references, and the characters HTML forbids (NUL and the
    /// C0 and C1 controls other than tab, line feed and carriage return) as U+FFFD.
    public static func escape<S: StringProtocol>(_ text: S) -> String {
        let utf8 = text.utf8
        if !utf8.contains(where: needsWork) { return String(text) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".utf8)
            case "<": out.append(contentsOf: "&lt;".utf8)
            case ">": out.append(contentsOf: "&gt;".utf8)
            case "\"": out.append(contentsOf: "&quot;".utf8)
            case "'": out.append(contentsOf: "&#39;".utf8)
            case "\t", "\n", "\r": out.append(UInt8(scalar.value))
            default:
                let v = scalar.value
                if v < 0x20 || (v >= 0x7F && v < 0xA0) {
                    out.append(contentsOf: "\u{FFFD}".utf8)
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsWork(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case 0x09, 0x0A, 0x0D: false
        case 0..<0x20, 0x7F: true
        case 0xC2: true  // the lead byte of U+0080–U+00BF, among them the C1 controls: checked per scalar
        default: false
        }
    }

    /// A human size: `512 B`, `1.5 KiB`, `12.0 MiB`.
    public static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

/// XML text: escaped character data and attribute values, and elements written one a line.
public enum XML {
    /// Escapes `&`, `<`, `>` and quotes, and drops what XML 1.0 cannot hold (control characters other than tab and
    /// line breaks; lone surrogates cannot occur in a Swift string).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `<name a="v">text</name>`, indented by `indent` levels of two spaces.
    public static func element(_ name: String, _ text: String, _ attributes: [(String, String)] = [], indent: Int) -> String {
        let attributes = attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
        return String(repeating: "  ", count: indent) + "<\(name)\(attributes)>\(escape(text))</\(name)>"
    }

    /// A wrapper element one level in holding `items` (written two levels in), or nothing when there are none.
    static func list(_ name: String, _ items: [String]) -> String {
        items.isEmpty ? "" : (["  <\(name)>"] + items + ["  </\(name)>"]).joined(separator: "\n")
    }
}

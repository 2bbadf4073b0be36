import Foundation

/// An object key as the path of a URL: what is not allowed in a path segment percent-encoded, `/` kept.
public enum ObjectKeyPath {
    static let allowed: CharacterSet = {
        var set = CharacterSet.asciiAlphanumerics
        set.insert(charactersIn: "-._~/!$&'()*+,;=:@")
        return set
    }()

    public static func encode(_ key: String) -> String {
        // Most keys need no encoding; Foundation's encoder is slow enough to show in large listings.
        let plain = key.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "-._~/".utf8.contains(byte)
        }
        return plain ? key : key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
    }
}

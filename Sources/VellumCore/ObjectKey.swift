import Foundation

/// Object keys: 1-1024 bytes of NFC UTF-8, no control characters, no leading `/`, no `.`/`..` segments.
/// Keys are names in the metadata store only; they never become file-system paths.
public enum ObjectKey {
    public static let maxBytes = 1024

    /// Returns the NFC-normalised key, or throws `FilesError.invalidKey`. Slashes and dots are looked for in the
    /// bytes, not in Characters: a combining mark after a `/` makes one Character of both, and must not hide it.
    public static func validate(_ raw: String) throws -> String {
        let key = raw.precomposedStringWithCanonicalMapping
        let bytes = key.utf8
        guard (1...maxBytes).contains(bytes.count), bytes.first != slash else { throw FilesError.invalidKey }
        for scalar in key.unicodeScalars where scalar.properties.generalCategory == .control {
            _ = scalar
            throw FilesError.invalidKey
        }
        for segment in bytes.split(separator: slash, omittingEmptySubsequences: false)
        where segment.elementsEqual([dot]) || segment.elementsEqual([dot, dot]) {
            throw FilesError.invalidKey
        }
        return key
    }

    /// The last path segment of a key (after its last `/` byte), used as a download file name.
    public static func basename(_ key: String) -> String {
        key.utf8.split(separator: slash).last.map { String(decoding: $0, as: UTF8.self) } ?? key
    }

    static let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
}

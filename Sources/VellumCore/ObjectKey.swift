import Foundation

/// Object keys: 1-1024 bytes of NFC UTF-8, no control characters, no leading `/`, no `.`/`..` segments.
/// Keys are names in the metadata store only; they never become file-system paths.
public enum ObjectKey {
    public static let maxBytes = 1024

    /// Returns the NFC-normalised key, or throws `VellumError.invalidKey`.
    public static func validate(_ raw: String) throws -> String {
        let key = raw.precomposedStringWithCanonicalMapping
        let bytes = key.utf8.count
        guard bytes >= 1, bytes <= maxBytes, !key.hasPrefix("/") else { throw VellumError.invalidKey }
        for scalar in key.unicodeScalars where scalar.properties.generalCategory == .control {
            _ = scalar
            throw VellumError.invalidKey
        }
        for segment in key.split(separator: "/", omittingEmptySubsequences: false)
        where segment == "." || segment == ".." {
            throw VellumError.invalidKey
        }
        return key
    }

    /// The last path segment of a key, used as a download file name.
    public static func basename(_ key: String) -> String {
        key.split(separator: "/").last.map(String.init) ?? key
    }
}

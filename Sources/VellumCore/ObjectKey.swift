import Foundation

/// An object key that has been checked: 1-1024 bytes of NFC UTF-8, no control characters, no leading `/`, no
/// `.`/`..` segments. Only `init(_:)` makes one, so whatever takes an `ObjectKey` (the services below their entry
/// points, the store's version queries) never sees an unchecked key. Keys are names in the metadata store only; they
/// never become file-system paths.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    public static let maxBytes = 1024

    /// The key, NFC-normalised.
    public let value: String

    /// Checks `raw` and keeps its NFC form, or throws `FilesError.invalidKey`. Slashes and dots are looked for in the
    /// bytes, not in Characters: a combining mark after a `/` makes one Character of both, and must not hide it.
    public init(_ raw: String) throws {
        let key = raw.precomposedStringWithCanonicalMapping
        let bytes = key.utf8
        guard (1...Self.maxBytes).contains(bytes.count), bytes.first != Self.slash else { throw FilesError.invalidKey }
        for scalar in key.unicodeScalars where scalar.properties.generalCategory == .control {
            _ = scalar
            throw FilesError.invalidKey
        }
        for segment in bytes.split(separator: Self.slash, omittingEmptySubsequences: false)
        where segment.elementsEqual([Self.dot]) || segment.elementsEqual([Self.dot, Self.dot]) {
            throw FilesError.invalidKey
        }
        value = key
    }

    public var description: String { value }

    /// The last path segment of a stored key (after its last `/` byte), used as a download file name.
    public static func basename(_ key: String) -> String {
        key.utf8.split(separator: slash).last.map { String(decoding: $0, as: UTF8.self) } ?? key
    }

    static let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
}

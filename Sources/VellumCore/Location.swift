import Foundation

/// A named place where bytes are stored, addressed by a URI (`file:///abs/path`, later `s3://...`).
public struct Location: Sendable, Equatable {
    public var name: String
    public var uri: String
    public var isDefault: Bool
    public var created: Date

    public init(name: String, uri: String, isDefault: Bool, created: Date) {
        self.name = name
        self.uri = uri
        self.isDefault = isDefault
        self.created = created
    }

    /// Whether two location URIs store bytes in the same place or one inside the other (the same directory or
    /// bucket, a prefix of the other's path or key prefix), ignoring the query.
    public static func overlap(_ a: String, _ b: String) -> Bool {
        func place(_ uri: String) -> String {
            let base = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
            return base.hasSuffix("/") ? base : base + "/"
        }
        let (x, y) = (place(a), place(b))
        return x.hasPrefix(y) || y.hasPrefix(x)
    }

    /// Throws unless `name` is a valid location name.
    public static func validate(name: String) throws {
        let valid =
            name.utf8.count <= 63 && name.first.map { $0.isASCII && $0.isLowercase } == true
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        guard valid else {
            throw FilesError(.invalid, "Invalid location name: use lowercase letters, digits and '-', starting with a letter.")
        }
    }
}

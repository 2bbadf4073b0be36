import Foundation

/// Files Vellum makes from a stored file and keeps as files of their own: checksummed, verified by fixity, and
/// deleted with the file they were made from.
public enum DerivativeKind: String, Sendable {
    /// A tiled pyramid TIFF for the IIIF image server.
    case pyramid

    /// The media types a pyramid is made for (the images libvips reads).
    public static let pyramidTypes: Set<String> = [
        "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/jp2", "image/heic", "image/heif",
        "image/avif",
    ]
}

/// A derivative that could not be made: for good (`nextAttempt` nil), or for now, to be tried again.
public struct DerivativeFailure: Sendable, Equatable {
    public var fileID: UUID
    public var kind: DerivativeKind
    /// A version whose file it is (the oldest), when one is left.
    public var bucketID: UUID?
    public var key: String?
    public var error: String
    public var attempts: Int
    public var nextAttempt: Date?

    public init(
        fileID: UUID, kind: DerivativeKind, bucketID: UUID?, key: String?, error: String, attempts: Int, nextAttempt: Date?
    ) {
        self.fileID = fileID
        self.kind = kind
        self.bucketID = bucketID
        self.key = key
        self.error = error
        self.attempts = attempts
        self.nextAttempt = nextAttempt
    }
}

import Foundation

/// Files Vellum makes from a stored file and keeps as files of their own: checksummed, verified by fixity, and
/// deleted with the file they were made from. Each kind has its `DerivativeProducer`; a module adds kinds of its own.
public struct DerivativeKind: RawRepresentable, Hashable, Sendable {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// A tiled pyramid TIFF for the IIIF image server.
    public static let pyramid = DerivativeKind(rawValue: "pyramid")

    /// The kind of the jobs (`JobQueries`) that make derivatives of this kind (`jobPrefix` and the kind); a job's
    /// subject is the file's id.
    public var jobKind: String { Self.jobPrefix + rawValue }
    public static let jobPrefix = "derivative:"
}

/// A derivative that could not be made: for good (`nextAttempt` nil), or for now, to be tried again (its job's state).
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

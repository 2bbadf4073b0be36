/// An error of the files domain: buckets, objects, multipart uploads, tokens, locations and their administration.
public typealias FilesError = Failure<FilesReason>

/// What can go wrong in that domain.
public enum FilesReason: Sendable, Equatable {
    /// The request is malformed or asks for what the rules refuse (a bad key, an exceeded quota).
    case invalid
    /// One field of the request has a value the rules refuse.
    case invalidField
    /// No principal, or one the token store does not know.
    case unauthenticated
    /// The principal may not do this (or the bucket is locked).
    case forbidden
    case notFound
    /// The state changed underneath, or another actor holds what is asked for.
    case conflict
    /// A conditional request's condition does not hold.
    case preconditionFailed
    /// Vellum itself is at fault (a configuration gap, a checksum that no longer matches).
    case failure
}

extension Failure where Reason == FilesReason {
    public static let bucketNotFound = FilesError(.notFound, "Bucket does not exist.")
    public static let objectNotFound = FilesError(.notFound, "Object does not exist.")
    public static let versionNotFound = FilesError(.notFound, "Object version does not exist.")
    public static let bucketLocked = FilesError(.forbidden, "Bucket is locked for modifications.")
    public static let invalidKey = FilesError(.invalid, "Invalid key.")
    public static let quotaExceeded = FilesError(.invalid, "Bucket quota exceeded.")
    public static let maxFileSizeExceeded = FilesError(.invalid, "Maximum file size exceeded.")
    public static let fileSmaller = FilesError(.invalid, "File is smaller than expected.")
    public static let fileBigger = FilesError(.invalid, "File is bigger than expected.")
    public static let unauthenticated = FilesError(.unauthenticated, "Authentication required.")
    public static let invalidToken = FilesError(.unauthenticated, "Invalid or unknown token.")
    public static let forbidden = FilesError(.forbidden, "You do not have a permission for this action.")
    public static let preconditionFailed = FilesError(.preconditionFailed, "Precondition failed.")

    /// A validation error on one field, shaped like Invenio's.
    public static func validation(field: String, _ message: String) -> FilesError {
        FilesError(.invalidField, "Validation error.", fieldErrors: [FieldError(field: field, message: message)])
    }

    /// An invalid request parameter, named.
    public static func badParameter(_ field: String, _ message: String) -> FilesError {
        FilesError(.invalid, message, fieldErrors: [FieldError(field: field, message: message)])
    }
}

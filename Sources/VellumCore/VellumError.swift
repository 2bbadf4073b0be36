/// A domain error that carries the HTTP-style status it maps to; the HTTP layer renders it as
/// `{"status": N, "message": "..."}` in one place.
public struct VellumError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One field-level problem, rendered in the optional `errors` array.
    public struct FieldError: Sendable, Equatable {
        public var field: String
        public var message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var message: String
    public var errors: [FieldError]?
    /// Operator-only detail (paths, system errors): logged, never sent to clients.
    public var detail: String?

    public init(_ status: Int, _ message: String, errors: [FieldError]? = nil, detail: String? = nil) {
        self.status = status
        self.message = message
        self.errors = errors
        self.detail = detail
    }

    public var description: String { "\(status) \(message)" + (detail.map { " (\($0))" } ?? "") }
}

extension VellumError {
    public static let bucketNotFound = VellumError(404, "Bucket does not exist.")
    public static let objectNotFound = VellumError(404, "Object does not exist.")
    public static let versionNotFound = VellumError(404, "Object version does not exist.")
    public static let bucketLocked = VellumError(403, "Bucket is locked for modifications.")
    public static let invalidKey = VellumError(400, "Invalid key.")
    public static let quotaExceeded = VellumError(400, "Bucket quota exceeded.")
    public static let maxFileSizeExceeded = VellumError(400, "Maximum file size exceeded.")
    public static let fileSmaller = VellumError(400, "File is smaller than expected.")
    public static let fileBigger = VellumError(400, "File is bigger than expected.")
    public static let unauthenticated = VellumError(401, "Authentication required.")
    public static let invalidToken = VellumError(401, "Invalid or unknown token.")
    public static let forbidden = VellumError(403, "You do not have a permission for this action.")
    public static let preconditionFailed = VellumError(412, "Precondition failed.")

    /// The storage has no bytes for a file it should hold; `detail` says where it looked.
    public static func blobMissing(_ detail: String) -> VellumError {
        VellumError(500, "Stored file is missing.", detail: detail)
    }

    public var isBlobMissing: Bool { status == 500 && message == "Stored file is missing." }

    /// The disk of a location or of the database is full (or a quota of the file system is reached).
    public static func insufficientStorage(_ detail: String) -> VellumError {
        VellumError(507, "Insufficient storage: the disk is full; delete files or versions to free space.", detail: detail)
    }

    /// A storage failure; `detail` says what failed, for the logs.
    public static func storage(_ detail: String) -> VellumError {
        VellumError(500, "Storage error.", detail: detail)
    }

    /// A 422 validation error on one field, shaped like Invenio's.
    public static func validation(field: String, _ message: String) -> VellumError {
        VellumError(422, "Validation error.", errors: [FieldError(field: field, message: message)])
    }

    /// A 400 error on one request parameter.
    public static func badParameter(_ field: String, _ message: String) -> VellumError {
        VellumError(400, message, errors: [FieldError(field: field, message: message)])
    }
}

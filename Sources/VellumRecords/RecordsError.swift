import JSONSchema
import VellumCore

/// What the records domain refuses, without HTTP statuses (the front-end maps each reason to one).
public struct RecordsError: DomainError, Equatable {
    public enum Reason: String, Sendable {
        /// The request's JSON is wrong: `fieldErrors` says where (JSON pointers from the record's root).
        case invalid
        /// The record does not exist, or the caller may not see it.
        case notFound
        /// `If-Match` names another revision than the current one.
        case revisionMismatch
        /// A patch cannot apply to the record as it is (a failed `test`, a missing path).
        case conflict
        /// A stored revision does not match the hash chain.
        case tampered
        /// The record was removed (its tombstone stays).
        case gone
    }

    public var reason: Reason
    public var message: String
    public var fieldErrors: [FieldError]
    /// For `gone`: what is said of the removed record (`{"removed_at", "reason", "citation"}`, api.md §8).
    public var tombstone: JSON?
    public var detail: String? { nil }

    public init(_ reason: Reason, _ message: String, fieldErrors: [FieldError] = [], tombstone: JSON? = nil) {
        self.reason = reason
        self.message = message
        self.fieldErrors = fieldErrors
        self.tombstone = tombstone
    }

    /// Wrong values: each a JSON pointer and a message.
    public static func invalid(_ problems: [(String, String)]) -> RecordsError {
        RecordsError(
            .invalid, problems.count == 1 ? "The record has an invalid value." : "The record has \(problems.count) invalid values.",
            fieldErrors: problems.map { FieldError(field: $0.0, message: $0.1) })
    }
}

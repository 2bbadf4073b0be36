import Foundation

/// Derivatives of files (`file_derivatives`, see `DerivativeKind`): asked for, then made. Each request is also a job
/// (`JobQueries`, of kind `DerivativeKind.jobKind`): its claim, retries and failures are the jobs table's.
public protocol DerivativeQueries {
    /// Asks for a derivative of a file; true if it was not asked for before (the caller then enqueues its job in the
    /// same transaction).
    func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws -> Bool

    /// The file a derivative is asked for, if it is still asked for: neither made yet nor its file deleted.
    func derivativeSource(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance?

    /// Records `derivative` (a new file) as made from `fileID`; if that file is gone meanwhile, the derivative is
    /// marked for deletion instead.
    func saveDerivative(_ kind: DerivativeKind, of fileID: UUID, _ derivative: FileInstance) async throws

    /// Derivatives whose job failed for good or waits to be tried again after a failure, by file.
    func failedDerivatives(limit: Int) async throws -> [DerivativeFailure]

    func derivative(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance?
}

import Foundation

/// Derivatives of files (`derivatives`, see `DerivativeKind`): asked for, made, failed.
public protocol DerivativeQueries {
    /// Asks for a derivative of a file (nothing if it was asked for already).
    func requestDerivative(_ kind: DerivativeKind, of fileID: UUID, at date: Date) async throws

    /// Up to `limit` files whose derivative is asked for, neither made nor failed for good, and due (not waiting to
    /// be tried again after `now`), oldest request first.
    func pendingDerivatives(_ kind: DerivativeKind, due now: Date, limit: Int) async throws -> [FileInstance]

    /// Records `derivative` (a new file) as made from `fileID`; if that file is gone meanwhile, the derivative is
    /// marked for deletion instead.
    func saveDerivative(_ kind: DerivativeKind, of fileID: UUID, _ derivative: FileInstance) async throws

    /// Records that a derivative cannot be made (it is not asked for again).
    func failDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String) async throws

    /// Records a failed attempt that may succeed later: the next is due `delay(attempts so far)` from now.
    func retryDerivative(_ kind: DerivativeKind, of fileID: UUID, error: String, after delay: (Int) -> TimeInterval)
        async throws

    /// Derivatives that failed for good or are waiting to be tried again, by file.
    func failedDerivatives(limit: Int) async throws -> [DerivativeFailure]

    func derivative(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance?
}

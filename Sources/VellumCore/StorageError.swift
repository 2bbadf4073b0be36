/// An error of where bytes and metadata are kept: a storage backend, the metadata database, their disks.
public typealias StorageError = Failure<StorageReason>

/// What can go wrong in that domain.
public enum StorageReason: Sendable, Equatable {
    /// The storage has no bytes for a file it should hold.
    case missing
    /// The disk of a location or of the database is full (or a quota of the file system is reached).
    case full
    /// The file is larger than the storage can take in this form.
    case tooLarge
    /// The process is short of file descriptors.
    case tooManyOpenFiles
    /// The storage cannot be reached now; a retry may succeed.
    case unavailable
    /// The stored state changed underneath the operation (an upload completed or aborted meanwhile).
    case conflict
    /// Any other failure; `detail` says what failed.
    case failure
}

extension Failure where Reason == StorageReason {
    /// The storage has no bytes for a file it should hold; `detail` says where it looked.
    public static func blobMissing(_ detail: String) -> StorageError {
        StorageError(.missing, "Stored file is missing.", detail: detail)
    }

    /// The disk of a location or of the database is full.
    public static func insufficientStorage(_ detail: String) -> StorageError {
        StorageError(.full, "Insufficient storage: the disk is full; delete files or versions to free space.", detail: detail)
    }

    /// A storage failure; `detail` says what failed, for the logs.
    public static func failure(_ detail: String) -> StorageError {
        StorageError(.failure, "Storage error.", detail: detail)
    }
}

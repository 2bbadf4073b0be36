import Foundation

/// Multipart uploads and their parts (`multipart_uploads`, `multipart_parts`).
public protocol UploadQueries {
    func insertUpload(_ upload: MultipartUpload) async throws

    func upload(_ id: UUID) async throws -> MultipartUpload?

    /// The upload whose pending file is `fileID`.
    func upload(fileID: UUID) async throws -> MultipartUpload?

    func uploads(bucketID: UUID) async throws -> [MultipartUpload]

    /// Up to 1,000 unfinished (or finished) uploads without activity since `date`, oldest first.
    func uploads(inactiveSince date: Date, completed: Bool) async throws -> [MultipartUpload]

    /// Records activity on an upload and returns it (nil when it is gone).
    func touchUpload(_ id: UUID, updated: Date) async throws -> MultipartUpload?

    func completeUpload(_ id: UUID, versionID: UUID, updated: Date) async throws

    /// Deletes an upload and its parts.
    func deleteUpload(_ id: UUID) async throws

    func parts(uploadID: UUID) async throws -> [UploadPart]

    func part(uploadID: UUID, number: Int) async throws -> UploadPart?

    /// Inserts or replaces a part.
    func savePart(_ part: UploadPart) async throws

    func deletePart(uploadID: UUID, number: Int) async throws
}

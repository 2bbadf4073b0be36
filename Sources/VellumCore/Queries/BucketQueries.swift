import Foundation

/// Buckets (`buckets`) and the bytes that uploads in flight hold of them (`upload_reservations`).
public protocol BucketQueries {
    func bucket(_ id: UUID) async throws -> Bucket?

    func insertBucket(_ bucket: Bucket) async throws

    /// Adds `delta` to the bucket's size and returns the bucket as it is now (nil if there is none).
    @discardableResult
    func addToBucketSize(_ id: UUID, _ delta: Int64, updated: Date) async throws -> Bucket?

    /// Records that the upload writing blob `fileID` holds `bytes` more of its bucket's size (the caller adds them to
    /// the bucket, see `addToBucketSize`).
    func addReservation(_ fileID: UUID, bucketID: UUID, bytes: Int64, at date: Date) async throws

    /// Removes the reservation of the upload writing `fileID`; returns its bucket and bytes (nil if there was none).
    func deleteReservation(_ fileID: UUID) async throws -> (bucketID: UUID, bytes: Int64)?

    /// The blobs whose uploads hold reservations.
    func reservedFiles() async throws -> [UUID]

    /// Saves the settings of a bucket (quota, maximum file size, lock, public).
    func updateBucket(_ bucket: Bucket) async throws

    /// Whether any version with bytes, any unfinished multipart upload or any upload in flight is left in the bucket.
    func bucketHoldsData(_ id: UUID) async throws -> Bool

    /// Deletes a bucket that holds no data, with its delete markers and finished uploads.
    func deleteBucket(_ id: UUID) async throws

    /// Sets every bucket's size to the bytes of its versions plus its reservations (multipart uploads and uploads in
    /// flight); returns how many had drifted.
    func reconcileBucketSizes() async throws -> Int

    /// Points the buckets whose new files go to location `from` (only `bucketID`, when given) at `to`; returns how
    /// many changed.
    func switchBucketLocations(from: String, to: String, bucketID: UUID?) async throws -> Int
}

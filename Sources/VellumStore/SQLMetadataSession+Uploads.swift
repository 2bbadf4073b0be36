import Foundation
import SQLKit
import VellumCore

extension SQLMetadataSession: UploadQueries {
    public func insertUpload(_ u: MultipartUpload) async throws {
        try await db.raw(
            """
            INSERT INTO multipart_uploads (id, bucket_id, key, file_id, location, size, part_size, content_type, tags,
                version_id, created, updated)
            VALUES (\(bind: u.id.lowercased), \(bind: u.bucketID.lowercased), \(bind: u.key), \(bind: u.fileID.lowercased),
                    \(bind: u.location), \(bind: u.size), \(bind: u.partSize), \(bind: u.contentType),
                    \(bind: try Self.encodeTags(u.tags)), \(bind: u.versionID?.lowercased), \(bind: u.created.micros),
                    \(bind: u.updated.micros))
            """
        ).run()
    }

    /// In a write transaction on PostgreSQL the row is locked (see `rowLock`): two daemons expiring, aborting or
    /// completing one upload take turns, and the second finds it gone or changed.
    public func upload(_ id: UUID) async throws -> MultipartUpload? {
        try await db.raw("SELECT * FROM multipart_uploads WHERE id = \(bind: id.lowercased)\(unsafeRaw: rowLock)").first()
            .map(Self.upload(from:))
    }

    public func upload(fileID: UUID) async throws -> MultipartUpload? {
        try await db.raw("SELECT * FROM multipart_uploads WHERE file_id = \(bind: fileID.lowercased)").first()
            .map(Self.upload(from:))
    }

    public func uploads(bucketID: UUID) async throws -> [MultipartUpload] {
        try await db.raw(
            "SELECT * FROM multipart_uploads WHERE bucket_id = \(bind: bucketID.lowercased) ORDER BY created, id"
        ).all().map(Self.upload(from:))
    }

    public func uploads(inactiveSince date: Date, completed: Bool) async throws -> [MultipartUpload] {
        let completion = completed ? "version_id IS NOT NULL" : "version_id IS NULL"
        return try await db.raw(
            """
            SELECT * FROM multipart_uploads WHERE \(unsafeRaw: completion) AND updated < \(bind: date.micros)
            ORDER BY updated LIMIT 1000
            """
        ).all().map(Self.upload(from:))
    }

    public func touchUpload(_ id: UUID, updated: Date) async throws -> MultipartUpload? {
        try await db.raw(
            "UPDATE multipart_uploads SET updated = \(bind: updated.micros) WHERE id = \(bind: id.lowercased) RETURNING *"
        ).first().map(Self.upload(from:))
    }

    public func completeUpload(_ id: UUID, versionID: UUID, updated: Date) async throws {
        try await db.raw(
            """
            UPDATE multipart_uploads SET version_id = \(bind: versionID.lowercased), updated = \(bind: updated.micros)
            WHERE id = \(bind: id.lowercased)
            """
        ).run()
    }

    public func deleteUpload(_ id: UUID) async throws {
        try await db.raw("DELETE FROM multipart_parts WHERE upload_id = \(bind: id.lowercased)").run()
        try await db.raw("DELETE FROM multipart_uploads WHERE id = \(bind: id.lowercased)").run()
    }

    public func parts(uploadID: UUID) async throws -> [UploadPart] {
        try await db.raw(
            "SELECT * FROM multipart_parts WHERE upload_id = \(bind: uploadID.lowercased) ORDER BY part_number"
        ).all().map(Self.part(from:))
    }

    public func part(uploadID: UUID, number: Int) async throws -> UploadPart? {
        try await db.raw(
            """
            SELECT * FROM multipart_parts WHERE upload_id = \(bind: uploadID.lowercased) AND part_number = \(bind: number)
            """
        ).first().map(Self.part(from:))
    }

    public func savePart(_ p: UploadPart) async throws {
        try await deletePart(uploadID: p.uploadID, number: p.number)
        try await db.raw(
            """
            INSERT INTO multipart_parts (upload_id, part_number, size, md5, sha256, created, updated)
            VALUES (\(bind: p.uploadID.lowercased), \(bind: p.number), \(bind: p.size), \(bind: p.checksums.md5),
                    \(bind: p.checksums.sha256), \(bind: p.created.micros), \(bind: p.updated.micros))
            """
        ).run()
    }

    public func deletePart(uploadID: UUID, number: Int) async throws {
        try await db.raw(
            "DELETE FROM multipart_parts WHERE upload_id = \(bind: uploadID.lowercased) AND part_number = \(bind: number)"
        ).run()
    }

    static func part(from row: any SQLRow) throws -> UploadPart {
        UploadPart(
            uploadID: try row.decodeUUID(column: "upload_id"), number: try row.decode(column: "part_number", as: Int.self),
            size: try row.decode(column: "size", as: Int64.self),
            checksums: Checksums(
                md5: try row.decode(column: "md5", as: String.self), sha256: try row.decode(column: "sha256", as: String.self)),
            created: .micros(try row.decode(column: "created", as: Int64.self)),
            updated: .micros(try row.decode(column: "updated", as: Int64.self)))
    }

    static func upload(from row: any SQLRow) throws -> MultipartUpload {
        MultipartUpload(
            id: try row.decodeUUID(column: "id"), bucketID: try row.decodeUUID(column: "bucket_id"),
            key: try row.decode(column: "key", as: String.self), fileID: try row.decodeUUID(column: "file_id"),
            location: try row.decode(column: "location", as: String.self),
            size: try row.decode(column: "size", as: Int64.self),
            partSize: try row.decode(column: "part_size", as: Int64.self),
            contentType: try row.decode(column: "content_type", as: String?.self),
            tags: Self.decodeTags(try row.decode(column: "tags", as: String.self)),
            versionID: try row.decodeNil(column: "version_id") ? nil : try row.decodeUUID(column: "version_id"),
            created: .micros(try row.decode(column: "created", as: Int64.self)),
            updated: .micros(try row.decode(column: "updated", as: Int64.self)))
    }
}

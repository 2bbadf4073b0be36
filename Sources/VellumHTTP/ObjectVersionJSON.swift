import Foundation
import VellumCore

/// The Invenio ObjectVersion shape, plus `checksums` with both digests.
struct ObjectVersionJSON: Encodable {
    let version: ObjectVersion
    let links: Links

    enum CodingKeys: String, CodingKey {
        case key, versionID = "version_id", isHead = "is_head", deleteMarker = "delete_marker", size, mimetype
        case checksum, checksums, tags, created, updated, lastCheckAt = "last_check_at", lastCheck = "last_check"
        case links
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let v = version
        try c.encode(v.key, forKey: .key)
        try c.encode(v.versionID.uuidString.lowercased(), forKey: .versionID)
        try c.encode(v.isHead, forKey: .isHead)
        try c.encode(v.isDeleteMarker, forKey: .deleteMarker)
        try c.encode(v.size, forKey: .size)
        try c.encode(v.mimetype, forKey: .mimetype)
        try c.encode(v.file?.checksums.invenio, forKey: .checksum)
        try c.encode(v.file?.checksums, forKey: .checksums)
        try c.encode(v.tags, forKey: .tags)
        try c.encode(Timestamp.string(v.created), forKey: .created)
        try c.encode(Timestamp.string(v.updated), forKey: .updated)
        try c.encode(v.file?.lastCheckAt.map(Timestamp.string), forKey: .lastCheckAt)
        try c.encode(v.file?.lastCheck, forKey: .lastCheck)
        let object = links.object(v.bucketID, v.key)
        let version = object + "?versionId=" + v.versionID.uuidString.lowercased()
        var urls = ["self": v.isHead && !v.isDeleteMarker ? object : version, "version": version]
        if v.isHead && !v.isDeleteMarker { urls["uploads"] = object + "?uploads" }
        try c.encode(urls, forKey: .links)
    }
}

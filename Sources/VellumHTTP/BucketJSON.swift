import Foundation
import VellumCore

/// The Invenio Bucket shape, with `contents` (and `links.next`) when it is a listing.
struct BucketJSON: Encodable {
    let bucket: Bucket
    let links: Links
    var contents: [ObjectVersionJSON]?
    var next: String?

    enum CodingKeys: String, CodingKey {
        case id, size, quotaSize = "quota_size", maxFileSize = "max_file_size", locked, isPublic = "public"
        case created, updated, links, contents
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bucket.id.uuidString.lowercased(), forKey: .id)
        try c.encode(bucket.size, forKey: .size)
        try c.encode(bucket.quotaSize, forKey: .quotaSize)
        try c.encode(bucket.maxFileSize, forKey: .maxFileSize)
        try c.encode(bucket.locked, forKey: .locked)
        try c.encode(bucket.isPublic, forKey: .isPublic)
        try c.encode(Timestamp.string(bucket.created), forKey: .created)
        try c.encode(Timestamp.string(bucket.updated), forKey: .updated)
        let base = links.bucket(bucket.id)
        var urls = ["self": base, "versions": base + "?versions", "uploads": base + "?uploads"]
        if let next { urls["next"] = next }
        try c.encode(urls, forKey: .links)
        try c.encodeIfPresent(contents, forKey: .contents)
    }
}

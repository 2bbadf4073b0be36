import Foundation
import VellumCore
import VellumHTTPSupport

/// The Invenio Bucket shape, with `contents` (and `links.next`) when it is a listing.
struct BucketJSON: JSONWritable {
    let bucket: Bucket
    let links: Links
    var contents: [ObjectVersionJSON]?
    var next: String?

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id")
            json.string(bucket.id.lowercased)
            json.key("size")
            json.int(bucket.size)
            json.key("quota_size")
            json.int(bucket.quotaSize)
            json.key("max_file_size")
            json.int(bucket.maxFileSize)
            json.key("locked")
            json.bool(bucket.locked)
            json.key("public")
            json.bool(bucket.isPublic)
            json.key("location")
            json.string(bucket.location)
            json.key("created")
            json.timestamp(bucket.created)
            json.key("updated")
            json.timestamp(bucket.updated)
            let base = links.bucket(bucket.id)
            json.key("links")
            json.object { json in
                json.key("self")
                json.string(base)
                json.key("versions")
                json.string(base + "?versions")
                json.key("uploads")
                json.string(base + "?uploads")
                if let next {
                    json.key("next")
                    json.string(next)
                }
            }
            if let contents {
                json.key("contents")
                json.array(contents) { json, version in version.write(to: &json) }
            }
        }
    }
}

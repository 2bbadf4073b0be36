import Foundation
import VellumCore
import VellumHTTPSupport

/// The Invenio MultipartObject shape; `parts` when listing them, `links.object_version` once completed.
struct MultipartJSON: JSONWritable {
    let upload: MultipartUpload
    let links: Links
    var parts: [UploadPart]?

    func write(to json: inout JSONWriter) {
        let u = upload
        json.object { json in
            json.key("id")
            json.string(u.id.lowercased)
            json.key("bucket")
            json.string(u.bucketID.lowercased)
            json.key("key")
            json.string(u.key)
            json.key("size")
            json.int(u.size)
            json.key("part_size")
            json.int(u.partSize)
            json.key("last_part_number")
            json.int(u.lastPartNumber)
            json.key("last_part_size")
            json.int(u.lastPartSize)
            json.key("completed")
            json.bool(u.completed)
            json.key("created")
            json.timestamp(u.created)
            json.key("updated")
            json.timestamp(u.updated)
            let object = links.object(u.bucketID, u.key)
            json.key("links")
            json.object { json in
                json.key("self")
                json.string(object + "?uploadId=" + u.id.lowercased)
                json.key("object")
                json.string(object)
                json.key("bucket")
                json.string(links.bucket(u.bucketID))
                if let versionID = u.versionID {
                    json.key("object_version")
                    json.string(object + "?versionId=" + versionID.lowercased)
                }
            }
            if let parts {
                json.key("parts")
                json.array(parts) { json, part in PartJSON(part: part, upload: u).write(to: &json) }
            }
        }
    }
}

/// The Invenio Part shape (`end_byte` exclusive), plus `size` and both digests.
struct PartJSON: JSONWritable {
    let part: UploadPart
    let upload: MultipartUpload

    func write(to json: inout JSONWriter) {
        let range = upload.range(ofPart: part.number)
        json.object { json in
            json.key("part_number")
            json.int(part.number)
            json.key("start_byte")
            json.int(range.lowerBound)
            json.key("end_byte")
            json.int(range.upperBound)
            json.key("size")
            json.int(part.size)
            json.key("checksum")
            json.string(part.checksums.invenio)
            json.key("checksums")
            json.checksums(part.checksums)
            json.key("created")
            json.timestamp(part.created)
            json.key("updated")
            json.timestamp(part.updated)
        }
    }
}

import Foundation
import VellumCore
import VellumHTTPSupport

/// The Invenio ObjectVersion shape, plus `checksums` with both digests.
struct ObjectVersionJSON: JSONWritable {
    let version: ObjectVersion
    let links: Links

    func write(to json: inout JSONWriter) {
        let v = version
        json.object { json in
            json.key("key")
            json.string(v.key)
            json.key("version_id")
            json.string(v.versionID.lowercased)
            json.key("is_head")
            json.bool(v.isHead)
            json.key("delete_marker")
            json.bool(v.isDeleteMarker)
            json.key("size")
            json.int(v.size)
            json.key("mimetype")
            json.string(v.mimetype)
            json.key("checksum")
            json.string(v.file?.checksums.invenio)
            json.key("checksums")
            json.checksums(v.file?.checksums)
            json.key("tags")
            json.object { json in
                for (name, value) in v.tags.sorted(by: { $0.key < $1.key }) {
                    json.key(name)
                    json.string(value)
                }
            }
            json.key("created")
            json.timestamp(v.created)
            json.key("updated")
            json.timestamp(v.updated)
            json.key("last_check_at")
            json.timestamp(v.file?.lastCheckAt)
            json.key("last_check")
            json.bool(v.file?.lastCheck)
            let object = links.object(v.bucketID, v.key)
            let version = object + "?versionId=" + v.versionID.lowercased
            let live = v.isHead && !v.isDeleteMarker
            json.key("links")
            json.object { json in
                json.key("self")
                json.string(live ? object : version)
                json.key("version")
                json.string(version)
                if live {
                    json.key("uploads")
                    json.string(object + "?uploads")
                }
                if !v.isDeleteMarker && v.file != nil {
                    for make in links.versionLinks {
                        guard let (name, url) = make(v, links.base) else { continue }
                        json.key(name)
                        json.string(url)
                    }
                }
            }
        }
    }
}

extension JSONWriter {
    /// `{"md5": ..., "sha256": ...}`, or null.
    mutating func checksums(_ checksums: Checksums?) {
        guard let checksums else { return null() }
        object { json in
            json.key("md5")
            json.string(checksums.md5)
            json.key("sha256")
            json.string(checksums.sha256)
        }
    }
}

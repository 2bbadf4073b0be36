import Foundation
import JSONSchema

/// A record's one-line citation, for its tombstone: who, when, what and which record.
enum Citation {
    static func text(of record: Record) -> String {
        let metadata = record.document["metadata"]
        let creators = (metadata?["creators"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let year = metadata?["publication_date"]?.stringValue.map { String($0.prefix(4)) }
        let title = metadata?["title"]?.stringValue ?? "Untitled"
        let who = creators.isEmpty ? "" : creators.joined(separator: "; ") + " "
        return "\(who)(\(year ?? "n.d.")). \(title). Record \(record.id)."
    }
}

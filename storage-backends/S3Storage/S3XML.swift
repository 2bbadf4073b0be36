import Foundation
import NIOCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The little of S3's XML answers Vellum reads (ListObjectsV2, ListParts, InitiateMultipartUpload,
/// CompleteMultipartUpload, errors): the text of leaf elements, either anywhere in the document (`fields`) or
/// grouped by each repeated `record` element (`<Contents>`, `<Part>`).
struct S3XML {
    /// Leaf text by element name, outside records (the last one wins).
    var fields: [String: String] = [:]
    /// One dictionary of leaf texts per record element, in document order.
    var records: [[String: String]] = []

    init(_ body: ByteBuffer, record: String? = nil) throws {
        let collector = Collector(record: record)
        let parser = XMLParser(data: Data(body.readableBytesView))
        parser.delegate = collector
        guard parser.parse() else {
            throw S3ProtocolError("unreadable XML from S3: \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        fields = collector.fields
        records = collector.records
    }

    /// S3's `<Error>` body as "Code: Message", for logs.
    static func describeError(_ body: ByteBuffer) -> String {
        guard let xml = try? S3XML(body) else { return String(buffer: body).prefix(200).description }
        return "\(xml.fields["Code"] ?? "?"): \(xml.fields["Message"] ?? "")"
    }

    private final class Collector: NSObject, XMLParserDelegate {
        let record: String?
        var fields: [String: String] = [:]
        var records: [[String: String]] = []
        var current: [String: String]?
        var text = ""

        init(record: String?) { self.record = record }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if name == record { current = [:] }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == record, let done = current {
                records.append(done)
                current = nil
            } else if current != nil {
                current?[name] = text
            } else {
                fields[name] = text
            }
            text = ""
        }
    }
}

/// S3 answered something Vellum cannot use.
struct S3ProtocolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

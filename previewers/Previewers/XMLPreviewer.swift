import CXML2

/// XML pretty-printed (indented, names, attributes, text, comments, CDATA), parsed by libxml2 with no network, no
/// external DTD or entity loaded and no entity expanded: a reference is shown as `&name;`, so an entity that would
/// read a local file or a URL, or one that expands a billion times, is never read or expanded.
public struct XMLPreviewer: Previewer {
    public let name = "xml"
    public let mediaTypes: Set<String> = [
        "application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml",
        "application/tei+xml", "application/xslt+xml", "application/vnd.google-earth.kml+xml", "application/gpx+xml",
    ]
    public let extensions: Set<String> = ["xml", "xsd", "xsl", "xslt", "rdf", "rss", "atom", "kml", "gpx", "tei", "mets", "mods"]

    /// Parser options: errors and warnings not printed, no network; never `NOENT`, `DTDLOAD`, `DTDATTR`,
    /// `XINCLUDE` or `HUGE`.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    public init() {}

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        guard file.size <= limits.maxBytes else {
            throw PreviewFailure("The file is larger than \(HTML.size(limits.maxBytes)), the most this server parses for a preview.")
        }
        let bytes = try FileBytes.prefix(file.path, limit: limits.maxBytes)
        guard let context = xmlNewParserCtxt() else { throw PreviewFailure("The file could not be parsed.") }
        defer { xmlFreeParserCtxt(context) }
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlCtxtReadMemory(context, $0, Int32(clamping: buffer.count), "preview.xml", nil, Self.options)
            }
        }
        guard let document else {
            let error = xmlCtxtGetLastError(context)?.pointee
            let message = error?.message.map { String(cString: $0).trimmingSpacesAndNewlines } ?? "a syntax error"
            throw PreviewFailure("The file is not well-formed XML: \(message) (line \(error?.line ?? 0)).")
        }
        defer { xmlFreeDoc(document) }
        var writer = XMLWriter(limits: limits)
        var node = document.pointee.children
        while let current = node {
            try writer.write(current, depth: 0)
            node = current.pointee.next
        }
        return PreviewPage(body: "<pre class=\"xml\">\(writer.out)</pre>")
    }
}

/// The HTML of an XML tree, indented two spaces a level, every text escaped.
struct XMLWriter {
    let limits: PreviewLimits
    var out = ""
    var nodes = 0

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    static func qualified(_ name: UnsafePointer<xmlChar>?, _ ns: UnsafeMutablePointer<xmlNs>?) -> String {
        let local = string(name)
        guard let prefix = ns?.pointee.prefix else { return local }
        return string(prefix) + ":" + local
    }

    mutating func line(_ depth: Int, _ html: String) {
        out += String(repeating: "  ", count: min(depth, 64)) + html + "\n"
    }

    mutating func write(_ node: xmlNodePtr, depth: Int) throws {
        nodes += 1
        if nodes % 4096 == 0 { try limits.check() }
        let n = node.pointee
        switch n.type {
        case XML_ELEMENT_NODE:
            let name = HTML.escape(Self.qualified(n.name, n.ns))
            var open = "<span class=\"t\">&lt;\(name)</span>"
            var ns = n.nsDef
            while let current = ns {
                let prefix = current.pointee.prefix.map { ":" + Self.string($0) } ?? ""
                open +=
                    " <span class=\"a\">xmlns\(HTML.escape(prefix))</span>=<span class=\"v\">\"\(HTML.escape(Self.string(current.pointee.href)))\"</span>"
                ns = current.pointee.next
            }
            var attribute = n.properties
            while let current = attribute {
                let value = xmlNodeListGetString(n.doc, current.pointee.children, 0)
                defer { vellum_xml_free(value) }
                open += " <span class=\"a\">\(HTML.escape(Self.qualified(current.pointee.name, current.pointee.ns)))</span>="
                open += "<span class=\"v\">\"\(HTML.escape(Self.string(value)))\"</span>"
                attribute = current.pointee.next
            }
            guard let first = n.children else {
                line(depth, open + "<span class=\"t\">/&gt;</span>")
                return
            }
            // An element holding only one short text is written on one line.
            if first.pointee.next == nil, first.pointee.type == XML_TEXT_NODE {
                let text = Self.string(first.pointee.content).trimmingSpacesAndNewlines
                if text.utf8.count <= 120 && !text.contains("\n") {
                    line(depth, open + "<span class=\"t\">&gt;</span>\(HTML.escape(text))<span class=\"t\">&lt;/\(name)&gt;</span>")
                    return
                }
            }
            line(depth, open + "<span class=\"t\">&gt;</span>")
            var child: xmlNodePtr? = first
            while let current = child {
                try write(current, depth: depth + 1)
                child = current.pointee.next
            }
            line(depth, "<span class=\"t\">&lt;/\(name)&gt;</span>")
        case XML_TEXT_NODE:
            let text = Self.string(n.content).trimmingSpacesAndNewlines
            if !text.isEmpty { line(depth, HTML.escape(text)) }
        case XML_CDATA_SECTION_NODE:
            line(depth, "<span class=\"c\">&lt;![CDATA[\(HTML.escape(Self.string(n.content)))]]&gt;</span>")
        case XML_ENTITY_REF_NODE:
            // The reference itself, never its replacement text.
            line(depth, "<span class=\"e\">&amp;\(HTML.escape(Self.string(n.name)));</span>")
        case XML_COMMENT_NODE:
            line(depth, "<span class=\"c\">&lt;!--\(HTML.escape(Self.string(n.content)))--&gt;</span>")
        case XML_PI_NODE:
            line(depth, "<span class=\"c\">&lt;?\(HTML.escape(Self.string(n.name))) \(HTML.escape(Self.string(n.content)))?&gt;</span>")
        case XML_DTD_NODE:
            line(depth, "<span class=\"c\">&lt;!DOCTYPE \(HTML.escape(Self.string(n.name)))&gt;</span>")
        default:
            break
        }
    }
}

extension String {
    var trimmingSpacesAndNewlines: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

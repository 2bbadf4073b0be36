import Foundation
import Testing

@testable import Previewers

/// A file of `contents` named `key`, previewed by the previewer the registry picks; the page's body.
func preview(_ key: String, _ contents: [UInt8], mimetype: String? = nil, maxBytes: Int64 = 100 << 20) throws -> (kind: String, page: PreviewPage) {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("preview-\(UUID().uuidString)").path
    FileManager.default.createFile(atPath: path, contents: Data(contents))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let file = PreviewFile(
        path: path, key: key, size: Int64(contents.count), mimetype: mimetype,
        links: PreviewLinks(raw: "/preview/t/raw", assets: "/preview/assets", iiif: "/preview/t/iiif"))
    let previewer = try #require(PreviewerRegistry.standard.previewer(for: file))
    let page = try previewer.render(file, PreviewLimits(maxBytes: maxBytes, deadline: .now + .seconds(10)))
    return (previewer.name, page)
}

func preview(_ key: String, _ text: String, mimetype: String? = nil) throws -> (kind: String, page: PreviewPage) {
    try preview(key, Array(text.utf8), mimetype: mimetype)
}

@Suite struct ChoosingAPreviewer {
    @Test func byStoredTypeThenExtension() throws {
        #expect(try preview("README.md", "# Title", mimetype: "text/plain").kind == "markdown")
        #expect(try preview("analysis.ipynb", "{\"cells\": []}", mimetype: "application/json").kind == "notebook")
        #expect(try preview("data", "a,b\n1,2\n", mimetype: "text/csv").kind == "csv")
        #expect(try preview("page.html", "<b>x</b>", mimetype: "text/html").kind == "text")
        #expect(try preview("run.py", "print(1)", mimetype: "text/x-script.python").kind == "text")
        // A sniffed text type says less than the extension: nbformat's test4.ipynb sniffs as TeX.
        #expect(try preview("test4.ipynb", "{\"cells\": []}", mimetype: "text/x-tex").kind == "notebook")
        #expect(try preview("table.csv", "a,b\n1,2\n", mimetype: "text/html").kind == "csv")
    }

    @Test func noPreviewerForUnknownKinds() {
        let file = PreviewFile(
            path: "/nonexistent", key: "blob.bin", size: 1, mimetype: "application/octet-stream",
            links: PreviewLinks(raw: "", assets: "", iiif: ""))
        #expect(PreviewerRegistry.standard.previewer(for: file) == nil)
    }
}

@Suite struct StoredContentNeverRuns {
    @Test func markdownDropsRawHTMLAndScriptLinks() throws {
        let source = """
            # Hello <script>alert(1)</script>
            <img src=x onerror="alert(2)">

            [click](javascript:alert(3)) [two](JaVaScRiPt:alert(4)) [three](data:text/html,<script>alert(5)</script>)

            | a | b |
            |---|---|
            | 1 | 2 |
            """
        let body = try preview("x.md", source).page.body
        #expect(!body.contains("<script"))
        #expect(!body.contains("onerror"))
        #expect(!body.lowercased().contains("javascript:"))
        #expect(!body.contains("data:text/html"))
        #expect(body.contains("<table>"))
        #expect(body.contains("raw HTML omitted"))
    }

    @Test func htmlAndSVGAreShownAsSource() throws {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script><foreignObject><p>x</p></foreignObject></svg>"
        let body = try preview("logo.svg", svg, mimetype: "image/svg+xml").page.body
        #expect(!body.contains("<svg"))
        #expect(!body.contains("<script"))
        #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func jsonStringsAndKeysAreEscaped() throws {
        let body = try preview("x.json", #"{"<img src=x onerror=alert(1)>": "</details><script>alert(2)</script>", "n": [1, 2.5e3, null]}"#).page.body
        #expect(!body.contains("<img"))
        #expect(!body.contains("<script"))
        #expect(body.contains("2.5e3"))
        #expect(body.contains("2 members"))
    }

    @Test func notebookOutputsAreInert() throws {
        let notebook = #"""
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}},
             "cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "<script>alert(1)</script>"]},
              {"cell_type": "code", "execution_count": 3, "metadata": {}, "source": "print('<b>hi</b>')",
               "outputs": [
                {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<script>alert(2)</script>",
                  "application/javascript": "alert(3)"}},
                {"output_type": "stream", "name": "stdout", "text": ["<b>hi</b>\n"]},
                {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["\u001b[31mTraceback<b>\u001b[0m"]}
               ]}
             ]}
            """#
        let body = try preview("n.ipynb", notebook).page.body
        #expect(!body.contains("<script"))
        #expect(!body.contains("<b>"))
        #expect(body.contains("&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(body.contains("is not run in a preview"))
        #expect(body.contains("Traceback&lt;b&gt;"))
        #expect(body.contains("In [3]:"))
    }

    @Test func csvCellsAreEscaped() throws {
        let body = try preview("x.csv", "name,formula\n<script>alert(1)</script>,=HYPERLINK(\"http://x\")\n").page.body
        #expect(!body.contains("<script"))
        #expect(body.contains("class=\"formula\""))
    }
}

@Suite struct CSV {
    @Test func quotingAndNewlines() throws {
        let rows = try CSVDialect.rows("a,b,c\r\n1,\"two, \"\"2\"\"\",\"multi\nline\"\n\n3,,\n", delimiter: ",", limit: 10, limits: nil)
        #expect(rows == [["a", "b", "c"], ["1", "two, \"2\"", "multi\nline"], [""], ["3", "", ""]])
    }

    @Test func delimiterDetection() {
        #expect(CSVDialect.delimiter(of: "a;b;c\n1;2,5;3\n4;5;6\n", preferTab: false) == ";")
        #expect(CSVDialect.delimiter(of: "a\tb\n1\t2\n", preferTab: false) == "\t")
        #expect(CSVDialect.delimiter(of: "a,b\n1,2\n", preferTab: false) == ",")
        #expect(CSVDialect.delimiter(of: "a|b|c\n1|2|3\n", preferTab: false) == "|")
    }

    @Test func charsets() {
        #expect(FileBytes.text([0x63, 0x61, 0x66, 0xE9]).charset == "Windows-1252")
        #expect(FileBytes.text([0x63, 0x61, 0x66, 0xE9]).text == "café")
        #expect(FileBytes.text([0xEF, 0xBB, 0xBF, 0x63, 0xC3, 0xA9]).text == "cé")
        #expect(FileBytes.text([0xFF, 0xFE, 0x63, 0x00, 0xE9, 0x00]).text == "cé")
        // A prefix cut inside a character keeps what came before.
        #expect(FileBytes.text([0x61, 0xC3], complete: false) == ("a", "UTF-8"))
    }

    @Test func firstThousandRows() throws {
        var text = "n,square\n"
        for n in 1...5000 { text += "\(n),\(n * n)\n" }
        let body = try preview("squares.csv", text).page.body
        #expect(body.contains("1000 rows shown"))
        #expect(body.contains("<td>1000</td>"))
        #expect(!body.contains("<td>1001</td>"))
    }
}

@Suite struct Failures {
    @Test func invalidJSONSaysWhere() throws {
        #expect(throws: PreviewFailure("The file is not valid JSON: expected ',' or '}' at line 2, column 3.")) {
            try preview("x.json", "{\"a\": 1\n  \"b\" 2}")
        }
    }

    @Test func deepJSONIsRefused() throws {
        #expect(throws: PreviewFailure.self) { try preview("x.json", String(repeating: "[", count: 100_000)) }
    }

    @Test func notANotebook() throws {
        #expect(throws: PreviewFailure("The file is not a notebook: it is not a JSON object.")) { try preview("x.ipynb", "[1, 2") }
    }

    @Test func notAnArchive() throws {
        #expect(throws: PreviewFailure.self) { try preview("x.zip", "this is not a zip file at all") }
    }
}

@Suite struct Images {
    @Test func sizesFromHeaders() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x1F, 0x40, 0, 0, 0x01, 0x2C]
        #expect(ImageHeader.size(png)! == (8000, 300))
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x10, 0x00, 0x20, 0x00]
        #expect(ImageHeader.size(gif)! == (16, 32))
    }

    @Test func bigImagesGoToDeepZoom() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x4E, 0x20, 0, 0, 0x01, 0x2C]
        let page = try preview("scan.png", png, mimetype: "image/png").page
        #expect(page.body.contains("data-info=\"/preview/t/iiif/info.json\""))
        #expect(page.scripts.contains("openseadragon/openseadragon.js"))
        let small = try preview("small.png", Array(png[0..<18]) + [0x01, 0x00, 0, 0, 0x01, 0x2C], mimetype: "image/png").page
        #expect(small.body.contains("<img src=\"/preview/t/raw\""))
        #expect(small.scripts.isEmpty)
    }
}

@Suite struct XML {
    @Test func prettyPrintedAndEscaped() throws {
        let source =
            #"<?xml version="1.0"?><r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title lang="en">A &amp; B</dc:title><!-- note --><x a="&lt;script&gt;"/><![CDATA[<b>raw</b>]]></r>"#
        let (kind, page) = try preview("record.xml", source, mimetype: "application/xml")
        #expect(kind == "xml")
        #expect(page.body.contains("xmlns:dc"))
        #expect(page.body.contains("dc:title"))
        #expect(page.body.contains("A &amp; B"))
        #expect(page.body.contains("&amp;lt;script&amp;gt;") || page.body.contains("&lt;script&gt;"))
        #expect(!page.body.contains("<script"))
        #expect(!page.body.contains("<b>"))
        #expect(page.scripts.isEmpty)
    }

    @Test func entitiesAreNeverExpandedOrLoaded() throws {
        let source = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">
            <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
            <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
            <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>
            <r>&x;&g;</r>
            """
        let start = ContinuousClock.now
        do {
            let body = try preview("laughs.xml", source, mimetype: "application/xml").page.body
            #expect(!body.contains("root:x:0:0"))
            #expect(body.contains("&amp;x;"))
            #expect(!body.contains("aaaaaaaaaaaaaaaaaaaa"))
        } catch let failure as PreviewFailure {
            #expect(failure.reason.hasPrefix("The file is not well-formed XML"))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func malformedXMLSaysWhere() throws {
        #expect(throws: PreviewFailure.self) { try preview("bad.xml", "<a><b></a>", mimetype: "application/xml") }
    }
}

/// PDFs: poppler (`pdfinfo`, `pdftocairo`) in a child process.
@Suite struct PDFs {
    /// A PDF of the given objects (1 is the catalog), with its cross-reference table.
    static func pdf(_ objects: [String]) -> [UInt8] {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        return Array((out + "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n").utf8)
    }

    static func pages(_ count: Int, claimed: Int? = nil, box: String = "0 0 612 792", rotate: Int = 0) -> [UInt8] {
        let kids = (0..<count).map { "\($0 + 3) 0 R" }.joined(separator: " ")
        return pdf(
            ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [\(kids)] /Count \(claimed ?? count) >>"]
                + Array(repeating: "<< /Type /Page /Parent 2 0 R /MediaBox [\(box)] /Rotate \(rotate) >>", count: count))
    }

    @Test func everyPageIsAnImageOfTheRightShape() throws {
        let (kind, page) = try preview("paper.pdf", Self.pages(2, rotate: 90), mimetype: "application/pdf")
        #expect(kind == "pdf")
        #expect(page.body.contains("2 pages"))
        // 612 × 792 points turned a quarter: landscape, fitted to 1,400 pixels.
        #expect(page.body.contains("width=\"1400\" height=\"1082\" alt=\"Page 2 of 2\""))
        #expect(page.scripts == ["vellum/pdf.js"])
    }

    @Test func pagesCanBeDrawnAndMissingOnesAreSaidSo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-\(UUID().uuidString).pdf").path
        FileManager.default.createFile(atPath: path, contents: Data(Self.pages(3, box: "0 0 200 100")))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let png = try PDFDocument.page(path, number: 3, deadline: .now + .seconds(10))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(throws: PreviewFailure.noSuchPage) { try PDFDocument.page(path, number: 4, deadline: .now + .seconds(10)) }
        #expect(throws: PreviewFailure.self) { try PDFDocument.page(path, number: 1, deadline: .now - .seconds(1)) }
    }

    @Test func damagedAndLyingPDFsSayWhy() throws {
        #expect(throws: PreviewFailure("The file is not a PDF this server can read.")) {
            try preview("broken.pdf", Array("%PDF-1.4\n1 0 obj << /Type".utf8), mimetype: "application/pdf")
        }
        // A page tree that claims a billion pages: refused, nothing of that size is ever made.
        #expect(throws: PreviewFailure.self) { try preview("lies.pdf", Self.pages(1, claimed: 1_000_000_000), mimetype: "application/pdf") }
    }
}

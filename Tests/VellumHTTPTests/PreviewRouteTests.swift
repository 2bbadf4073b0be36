import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PreviewHTTP
import Testing
import VellumTesting

/// Preview pages and tickets (api.md §6) in process.
@Suite struct PreviewRouteTests {
    func withClient(
        _ settings: PreviewSettings = PreviewSettings(),
        _ body: @escaping @Sendable (any TestClientProtocol, HTTPFields, String) async throws -> Void
    ) async throws {
        let app = try await TestApplication.make(previewSettings: settings)
        let admin: HTTPFields = [.authorization: "Bearer \(app.admin)"]
        do {
            try await Application(router: app.router).test(.router) { client in
                let bucket = try await client.execute(uri: "/files", method: .post, headers: admin) { response in
                    (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["id"] as? String ?? ""
                }
                try await body(client, admin, bucket)
            }
        } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }

    /// Stores `text` at `key` and returns its version JSON's `links`.
    func put(
        _ client: any TestClientProtocol, _ admin: HTTPFields, _ bucket: String, _ key: String, _ text: String,
        type: String = "application/octet-stream"
    ) async throws -> [String: String] {
        try await put(client, admin, bucket, key, Array(text.utf8), type: type)
    }

    func put(
        _ client: any TestClientProtocol, _ admin: HTTPFields, _ bucket: String, _ key: String, _ bytes: [UInt8],
        type: String = "application/octet-stream"
    ) async throws -> [String: String] {
        var headers = admin
        headers[.contentType] = type
        return try await client.execute(uri: "/files/\(bucket)/\(key)", method: .put, headers: headers, body: ByteBuffer(bytes: bytes)) {
            response in
            #expect(response.status == .ok)
            let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            return json?["links"] as? [String: String] ?? [:]
        }
    }

    /// The path and query of an absolute link.
    func local(_ link: String?) -> String {
        guard let link, let url = URLComponents(string: link) else { return "/missing" }
        return url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// api.md §6's headers of every preview response.
    func expectSafeHeaders(_ response: TestResponse, scripts: Bool = false) {
        let policy = response.headers[.contentSecurityPolicy] ?? ""
        #expect(policy.contains("sandbox"))
        #expect(!policy.contains("allow-same-origin"))
        #expect(!policy.contains("unsafe-eval"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(policy.contains("default-src 'none'"))
        #expect(policy.contains("allow-scripts") == scripts)
        #expect(response.headers[.xContentTypeOptions] == "nosniff")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        #expect(response.headers[.setCookie] == nil)
    }

    @Test func aTicketOpensThePageAndWhatItLoads() async throws {
        try await withClient { client, admin, bucket in
            let links = try await put(
                client, admin, bucket, "notes/README.md", "# Title\n\n<script>alert(1)</script>\n\n![x](data.png)\n", type: "text/markdown")
            let page = try #require(links["preview"])
            #expect(page.hasPrefix("http://localhost/preview/\(bucket)/notes/README.md?versionId="))
            #expect(page.contains("&ticket="))
            // The ticket alone opens the page: no Bearer header, as from an iframe.
            try await client.execute(uri: local(page), method: .get) { response in
                #expect(response.status == .ok)
                expectSafeHeaders(response)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                #expect(html.contains("<h1>Title</h1>"))
                #expect(!html.contains("<script"))
                #expect(html.contains("/preview/_assets/vellum/preview.css"))
            }
            try await client.execute(uri: "/preview/_assets/vellum/preview.css", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                expectSafeHeaders(response)
            }
        }
    }

    @Test func badTicketsAreRefused() async throws {
        try await withClient { client, admin, bucket in
            let first = try #require(try await put(client, admin, bucket, "a.txt", "one")["preview"])
            let second = try #require(try await put(client, admin, bucket, "a.txt", "two")["preview"])
            let firstTicket = String(first.split(separator: "ticket=").last!)
            let secondVersion = local(second).split(separator: "versionId=").last!.prefix(36)
            // Another version's ticket, a forged one, and one for another bucket: 403, JSON, with the safe headers.
            for uri in [
                "/preview/\(bucket)/a.txt?versionId=\(secondVersion)&ticket=\(firstTicket)",
                "/preview/\(bucket)/a.txt?ticket=\(firstTicket.dropLast(4))AAAA",
                "/preview/\(UUID().uuidString.lowercased())/a.txt?ticket=\(firstTicket)",
                "/preview/_t/\(firstTicket.dropLast(4))AAAA/raw/a.txt",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    expectSafeHeaders(response)
                    #expect(String(buffer: response.body).contains("\"status\":403"))
                }
            }
        }
    }

    @Test func expiredTicketsAreRefused() async throws {
        var settings = PreviewSettings()
        settings.ticketTTL = -1
        try await withClient(settings) { client, admin, bucket in
            let page = try #require(try await put(client, admin, bucket, "a.txt", "one")["preview"])
            try await client.execute(uri: local(page), method: .get) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test func withoutATicketThePermissionToReadDecides() async throws {
        try await withClient { client, admin, bucket in
            _ = try await put(client, admin, bucket, "a.csv", "a,b\n1,2\n")
            try await client.execute(uri: "/preview/\(bucket)/a.csv", method: .get) { response in
                #expect(response.status == .notFound)  // a private bucket, as for downloads
                expectSafeHeaders(response)
            }
            try await client.execute(uri: "/preview/\(bucket)/a.csv", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<td>1</td><td>2</td>"))
            }
        }
    }

    @Test func theRawBytesServeRangesAndNothingElse() async throws {
        try await withClient { client, admin, bucket in
            let page = try #require(try await put(client, admin, bucket, "clip.txt", "0123456789")["preview"])
            let html = try await client.execute(uri: local(page), method: .get) { String(buffer: $0.body) }
            // A text page links no raw bytes; build the raw URL from the page's ticket as an image page would.
            #expect(!html.contains("/raw/"))
            let ticket = String(page.split(separator: "ticket=").last!)
            try await client.execute(uri: "/preview/_t/\(ticket)/raw/clip.txt", method: .get, headers: [.range: "bytes=2-4"]) { response in
                #expect(response.status == .partialContent)
                #expect(String(buffer: response.body) == "234")
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox; base-uri 'none'; form-action 'none'")
                expectSafeHeaders(response)
            }
            // The ticket is for that file only.
            _ = try await put(client, admin, bucket, "other.txt", "secret")
            try await client.execute(uri: "/preview/_t/\(ticket)/raw/other.txt", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func pathsNoRouteMatchesGetThePreviewHeadersToo() async throws {
        try await withClient { client, _, bucket in
            for (uri, method) in [("/preview/\(bucket)/a.txt", HTTPRequest.Method.post), ("/preview/", .get), ("/preview/_t/x", .get)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .notFound || response.status == .methodNotAllowed, "\(method) \(uri)")
                    expectSafeHeaders(response)
                }
            }
        }
    }

    @Test func filesWithoutAPreviewerGetA415Page() async throws {
        try await withClient { client, admin, bucket in
            _ = try await put(client, admin, bucket, "blob.bin", "\u{0}\u{1}\u{2}binary")
            try await client.execute(uri: "/preview/\(bucket)/blob.bin", method: .get, headers: admin) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                expectSafeHeaders(response)
                let html = String(buffer: response.body)
                #expect(html.contains("This file cannot be previewed"))
                #expect(html.contains("SHA-256"))
                #expect(html.contains("href=\"http://localhost/files/\(bucket)/blob.bin?versionId="))
            }
        }
    }

    @Test func damagedFilesGetAPageThatSaysWhy() async throws {
        try await withClient { client, admin, bucket in
            _ = try await put(client, admin, bucket, "broken.json", "{\"a\": [1, 2")
            try await client.execute(uri: "/preview/\(bucket)/broken.json", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("The file is not valid JSON"))
            }
        }
    }

    @Test func theAPIOriginSendsPreviewsToThePreviewOrigin() async throws {
        var settings = PreviewSettings()
        settings.url = "http://preview.example"
        try await withClient(settings) { client, admin, bucket in
            let page = try #require(try await put(client, admin, bucket, "a.md", "# A")["preview"])
            #expect(page.hasPrefix("http://preview.example/preview/"))
            // On the API origin (the test client's `localhost`), a page asked for with a token goes to the preview
            // origin, with a ticket.
            try await client.execute(uri: "/preview/\(bucket)/a.md", method: .get, headers: admin) { response in
                #expect(response.status == .temporaryRedirect)
                #expect(response.headers[.location]?.hasPrefix("http://preview.example/preview/\(bucket)/a.md?versionId=") == true)
                #expect(response.headers[.location]?.contains("&ticket=") == true)
            }
        }
    }

    @Test func thePreviewOriginServesPreviewsOnly() async throws {
        var settings = PreviewSettings()
        settings.url = "http://localhost"  // the test client's host: every request here is on the preview origin
        try await withClient(settings) { client, admin, _ in
            for uri in ["/health", "/files", "/iiif/v3/x/info.json", "/metrics"] {
                try await client.execute(uri: uri, method: .get, headers: admin) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/preview/_assets/vellum/preview.css", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func pdfPagesAreImagesDrawnOnTheServer() async throws {
        try await withClient { client, admin, bucket in
            let page = try #require(try await put(client, admin, bucket, "paper.pdf", Self.pdf(pages: 3))["preview"])
            let ticket = String(page.split(separator: "ticket=").last!)
            try await client.execute(uri: local(page), method: .get) { response in
                #expect(response.status == .ok)
                expectSafeHeaders(response, scripts: true)  // Vellum's page counter only
                let html = String(buffer: response.body)
                #expect(html.contains("3 pages"))
                // The page's own ticket (made now: it may expire a second later than the link's).
                #expect(html.contains("<img src=\"/preview/_t/"))
                #expect(html.contains("/pdf/3\" loading=\"lazy\" width=\"1400\" height=\"700\""))
                #expect(!html.contains("/pdf/4\""))
            }
            try await client.execute(uri: "/preview/_t/\(ticket)/pdf/2", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(response.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
                expectSafeHeaders(response)
            }
            for (uri, status) in [
                ("/preview/_t/\(ticket)/pdf/4", HTTPResponse.Status.notFound), ("/preview/_t/\(ticket)/pdf/0", .notFound),
                ("/preview/_t/\(ticket)/pdf/x", .notFound), ("/preview/_t/\(ticket.dropLast(4))AAAA/pdf/1", .forbidden),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(String(buffer: response.body).contains("\"status\":\(status.code)"))
                }
            }
            // A damaged PDF: its page says why; its page images answer 422.
            let broken = try #require(try await put(client, admin, bucket, "broken.pdf", "%PDF-1.4\n1 0 obj << /Type")["preview"])
            try await client.execute(uri: local(broken), method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("The file is not a PDF this server can read."))
            }
            let brokenTicket = String(broken.split(separator: "ticket=").last!)
            try await client.execute(uri: "/preview/_t/\(brokenTicket)/pdf/1", method: .get) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }

    @Test func deepZoomTilesComeFromTheImageServiceUnderTheTicket() async throws {
        try await withClient { client, admin, bucket in
            let page = try #require(try await put(client, admin, bucket, "scans/a.tif", Self.tiff(width: 3, height: 2))["preview"])
            let ticket = String(page.split(separator: "ticket=").last!)
            let base = "/preview/_t/\(ticket)/iiif"
            try await client.execute(uri: local(page), method: .get) { response in
                expectSafeHeaders(response, scripts: true)
                let html = String(buffer: response.body)
                #expect(html.contains("data-info=\"/preview/_t/") && html.contains("/iiif/info.json\""))
            }
            try await client.execute(uri: base + "/info.json", method: .get) { response in
                #expect(response.status == .ok)
                expectSafeHeaders(response)
                #expect(response.headers[.cacheControl]?.hasPrefix("private") == true)
                let info = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(info["id"] as? String == base)
                #expect(info["width"] as? Int == 3)
                #expect(info["height"] as? Int == 2)
            }
            try await client.execute(uri: base + "/full/max/0/default.png", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
            }
            for (uri, status) in [
                (base + "/full/max/0", HTTPResponse.Status.notFound), (base + "/full/nonsense/0/default.png", .badRequest),
                ("/preview/_t/\(ticket.dropLast(4))AAAA/iiif/info.json", .forbidden),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    expectSafeHeaders(response)
                }
            }
        }
    }

    /// A PDF of `pages` blank pages of 200 × 100 points.
    static func pdf(pages: Int) -> String {
        let kids = (0..<pages).map { "\($0 + 3) 0 R" }.joined(separator: " ")
        let objects =
            ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [\(kids)] /Count \(pages) >>"]
            + Array(repeating: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>", count: pages)
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n" }
        return pdf + "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
    }

    /// An uncompressed 8-bit grey TIFF.
    static func tiff(width: Int, height: Int) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        let entries: [(tag: Int, type: Int, value: Int)] = [
            (256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 0), (277, 3, 1), (278, 3, height),
            (279, 4, width * height),
        ]
        let pixelsAt = 8 + 2 + entries.count * 12 + 4
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00] + le32(8) + le16(entries.count)
        for entry in entries {
            let value = entry.tag == 273 ? pixelsAt : entry.value
            bytes += le16(entry.tag) + le16(entry.type) + le32(1) + (entry.type == 3 ? le16(value) + [0, 0] : le32(value))
        }
        bytes += le32(0)
        return bytes + (0..<(width * height)).map { UInt8($0 * 40 % 256) }
    }
}

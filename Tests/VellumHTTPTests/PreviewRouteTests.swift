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
        var headers = admin
        headers[.contentType] = type
        return try await client.execute(uri: "/files/\(bucket)/\(key)", method: .put, headers: headers, body: ByteBuffer(string: text)) {
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
}

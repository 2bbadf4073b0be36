import Foundation
import Testing

/// Preview pages kept as derivatives (api.md §6): the daemon's preview worker makes the pages of notebooks, CSV
/// files and archives when they are stored, and the page is then served without parsing the file again.
@Suite struct PreviewDerivativeTests {
    /// The page of `key`, once the worker has kept it (`X-Vellum-Cache: hit`), within 10 s.
    func keptPage(_ server: TestServer, _ bucket: String, _ key: String) async throws -> TestServer.Reply? {
        for _ in 0..<200 {
            let reply = try await server.request(.GET, "/preview/\(bucket)/\(key)")
            #expect(reply.status == 200 || reply.status == 415)
            if reply.header("X-Vellum-Cache") == "hit" { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func pagesWorthKeepingAreMadeOnceAndServedFromTheDerivative() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let csv = Array("name,value\n<b>x</b>,1\ny,2\n".utf8)
        #expect(try await server.request(.PUT, "/files/\(bucket)/table.csv", headers: [("Content-Type", "text/csv")], body: csv).status == 200)
        let live = try await server.request(.GET, "/preview/\(bucket)/table.csv")
        let kept = try #require(try await keptPage(server, bucket, "table.csv"))
        // The same page as one made from the file.
        #expect(kept.text == live.text)
        #expect(kept.text.contains("<td>&lt;b&gt;x&lt;/b&gt;</td><td>1</td>"))
        #expect(kept.header("Content-Security-Policy")?.contains("sandbox") == true)

        // A damaged notebook keeps why it cannot be shown.
        let notebook = Array("{\"cells\": [".utf8)
        #expect(try await server.request(.PUT, "/files/\(bucket)/broken.ipynb", body: notebook).status == 200)
        let broken = try #require(try await keptPage(server, bucket, "broken.ipynb"))
        #expect(broken.text.contains("This file cannot be previewed"))

        // Kinds whose pages cost little or hold the ticket's links are not kept: JSON, text, PDF, images.
        #expect(try await server.request(.PUT, "/files/\(bucket)/a.json", body: Array("{\"a\": 1}".utf8)).status == 200)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await server.request(.GET, "/preview/\(bucket)/a.json").header("X-Vellum-Cache") == nil)
        let workers = try await server.request(.GET, "/workers").text
        #expect(workers.contains("\"previews\""))
        _ = try await server.stop()
    }
}

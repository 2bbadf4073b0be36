import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VellumTesting

/// `/records` (api.md §7) in process: drafts, the one ETag rule on every verb, patches, revisions.
@Suite struct RecordRouteTests {
    func withClient(_ body: @escaping @Sendable (any TestClientProtocol, HTTPFields) async throws -> Void) async throws {
        let app = try await TestApplication.make()
        let admin: HTTPFields = [.authorization: "Bearer \(app.admin)", .contentType: "application/json"]
        do {
            try await Application(router: app.router).test(.router) { client in try await body(client, admin) }
        } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }

    func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    @Test func draftsChangeUnderOneETagRule() async throws {
        try await withClient { client, admin in
            let created = try await client.execute(
                uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: #"{"metadata": {"title": "Tides"}}"#))
            #expect(created.status == .created)
            #expect(created.headers[.eTag] == "\"1\"")
            let record = json(created)
            let id = try #require(record["id"] as? String)
            #expect(created.headers[.location] == "http://localhost/records/\(id)")
            #expect(record["status"] as? String == "draft")
            #expect((record["metadata"] as? [String: Any])?["title"] as? String == "Tides")
            #expect(((record["files"] as? [String: Any])?["bucket"] as? String)?.count == 36)

            // PUT with the ETag just received, then with it again (stale): 200 then 412, on every verb alike.
            var headers = admin
            headers[.ifMatch] = created.headers[.eTag]
            let put = try await client.execute(
                uri: "/records/\(id)", method: .put, headers: headers, body: ByteBuffer(string: #"{"metadata": {"title": "Waves"}}"#))
            #expect(put.status == .ok && put.headers[.eTag] == "\"2\"")
            for (method, type) in [(HTTPRequest.Method.put, "application/json"), (.patch, "application/merge-patch+json")] {
                headers[.contentType] = type
                let stale = try await client.execute(
                    uri: "/records/\(id)", method: method, headers: headers, body: ByteBuffer(string: #"{"metadata": {"title": "X"}}"#))
                #expect(stale.status == .preconditionFailed, "\(method)")
                #expect(json(stale)["status"] as? Int == 412)
            }
            // `*` matches whatever revision is current.
            headers[.ifMatch] = "*"
            headers[.contentType] = "application/json"
            #expect(
                try await client.execute(
                    uri: "/records/\(id)", method: .put, headers: headers, body: ByteBuffer(string: #"{"metadata": {"title": "Waves"}}"#)
                ).status == .ok)
            // PATCH: JSON Patch with the current ETag; a failed test is 409, the record unchanged.
            headers[.ifMatch] = put.headers[.eTag]
            headers[.contentType] = "application/json-patch+json"
            let patched = try await client.execute(
                uri: "/records/\(id)", method: .patch, headers: headers,
                body: ByteBuffer(string: #"[{"op": "add", "path": "/metadata/keywords", "value": ["sea"]}]"#))
            #expect(patched.status == .ok && patched.headers[.eTag] == "\"3\"")
            headers[.ifMatch] = nil
            let failed = try await client.execute(
                uri: "/records/\(id)", method: .patch, headers: headers,
                body: ByteBuffer(string: #"[{"op": "test", "path": "/metadata/title", "value": "Tides"}]"#))
            #expect(failed.status == .conflict)
            headers[.contentType] = "text/plain"
            #expect(
                try await client.execute(uri: "/records/\(id)", method: .patch, headers: headers, body: ByteBuffer(string: "x")).status
                    == .unsupportedMediaType)

            // Revisions, oldest first, and one as it was.
            let revisions = try await client.execute(uri: "/records/\(id)/revisions", method: .get, headers: admin)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: revisions.body)) as? [[String: Any]])
            #expect(list.map { $0["revision_id"] as? Int } == [1, 2, 3])
            #expect(list.allSatisfy { ($0["hash"] as? String)?.count == 64 })
            let first = try await client.execute(uri: "/records/\(id)/revisions/1", method: .get, headers: admin)
            #expect((json(first)["metadata"] as? [String: Any])?["title"] as? String == "Tides")
            #expect(first.headers[.eTag] == "\"1\"")
            #expect(try await client.execute(uri: "/records/\(id)/revisions/9", method: .get, headers: admin).status == .notFound)
        }
    }

    @Test func othersDoNotSeeDraftsAndBadInputIsNamed() async throws {
        try await withClient { client, admin in
            let created = try await client.execute(uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: "{}"))
            let id = try #require(json(created)["id"] as? String)
            #expect(try await client.execute(uri: "/records/\(id)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/records", method: .post, body: ByteBuffer(string: "{}")).status == .unauthorized)
            for uri in ["/records/0", "/records/abc", "/records/007", "/records/99999999999999999999"] {
                #expect(try await client.execute(uri: uri, method: .get, headers: admin).status == .notFound, "\(uri)")
            }
            let wrong = try await client.execute(
                uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: #"{"metadata": [], "access": {"record": "open"}}"#))
            #expect(wrong.status == .badRequest)
            let errors = try #require(json(wrong)["errors"] as? [[String: Any]])
            #expect(errors.compactMap { $0["field"] as? String } == ["/access/record", "/metadata"])
            let notJSON = try await client.execute(uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: "{"))
            #expect(notJSON.status == .badRequest)
        }
    }

    @Test func theBuiltInSchemaIsServed() async throws {
        try await withClient { client, _ in
            let schema = try await client.execute(uri: "/schemas/record-v1.0.0.json", method: .get)
            #expect(schema.status == .ok)
            #expect(schema.headers[.contentType] == "application/schema+json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: schema.body)) as? [String: Any])
            #expect(json["$id"] as? String == "local://record-v1.0.0.json")
            #expect(try await client.execute(uri: "/schemas/other.json", method: .get).status == .notFound)
        }
    }

    @Test func draftsListWhatKeepsThemFromPublishingAndRefuseWrongTypes() async throws {
        try await withClient { client, admin in
            let incomplete = try await client.execute(
                uri: "/records", method: .post, headers: admin,
                body: ByteBuffer(string: #"{"metadata": {"title": "Tides", "publication_date": "2026-13"}}"#))
            #expect(incomplete.status == .created)
            let errors = try #require(json(incomplete)["errors"] as? [[String: Any]])
            let fields = Set(errors.compactMap { $0["field"] as? String })
            #expect(fields == ["/metadata/creators", "/metadata/resource_type", "/metadata/publication_date"])
            let complete = try await client.execute(
                uri: "/records", method: .post, headers: admin,
                body: ByteBuffer(
                    string:
                        #"{"metadata": {"title": "Tides", "creators": [{"name": "Ada"}], "publication_date": "2026", "resource_type": "dataset"}}"#))
            #expect(complete.status == .created && json(complete)["errors"] == nil)
            // Values of the wrong JSON type, and an unknown schema: refused at once.
            let wrong = try await client.execute(
                uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: #"{"metadata": {"title": 5, "keywords": "x"}}"#))
            #expect(wrong.status == .badRequest)
            let wrongFields = Set((json(wrong)["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(wrongFields == ["/metadata/title", "/metadata/keywords"])
            let unknown = try await client.execute(
                uri: "/records", method: .post, headers: admin, body: ByteBuffer(string: #"{"$schema": "local://nothing.json", "metadata": {}}"#))
            #expect(unknown.status == .badRequest)
            // The schema's public URL names the same schema.
            let byURL = try await client.execute(
                uri: "/records", method: .post, headers: admin,
                body: ByteBuffer(string: #"{"$schema": "http://localhost/schemas/record-v1.0.0.json", "metadata": {}}"#))
            #expect(byURL.status == .created)
        }
    }
}

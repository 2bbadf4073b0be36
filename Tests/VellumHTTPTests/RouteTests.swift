import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VellumTesting

/// The files API in process (`.router`): no daemon, no socket; real SQLite and local disk (`TestApplication`).
@Suite struct RouteTests {
    /// Runs `body` with a client of a fresh application, and the admin's authorization header.
    func withClient(_ body: @escaping @Sendable (any TestClientProtocol, HTTPFields) async throws -> Void) async throws {
        let app = try await TestApplication.make()
        let admin: HTTPFields = [.authorization: "Bearer \(app.admin)"]
        do {
            try await Application(router: app.router).test(.router) { client in
                try await body(client, admin)
            }
        } catch {
            await app.shutdown()
            throw error
        }
        await app.shutdown()
    }

    /// The JSON object of a body; empty when it is not one (the expectations on its fields then fail).
    func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    func createBucket(_ client: any TestClientProtocol, _ admin: HTTPFields) async throws -> String {
        try await client.execute(uri: "/files", method: .post, headers: admin) { response in
            #expect(response.status == .ok)
            return json(response.body)["id"] as? String ?? "missing"
        }
    }

    @Test func domainErrorsKeepTheirStatusesAndMessages() async throws {
        try await withClient { client, admin in
            try await client.execute(uri: "/files", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(json(response.body)["message"] as? String == "Authentication required.")
            }
            try await client.execute(uri: "/files", method: .post, headers: [.authorization: "Bearer nobody-has-this"]) { response in
                #expect(response.status == .unauthorized)
                #expect(json(response.body)["message"] as? String == "Invalid or unknown token.")
            }
            try await client.execute(uri: "/files/\(UUID().uuidString.lowercased())", method: .get, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(json(response.body)["message"] as? String == "Bucket does not exist.")
            }
            try await client.execute(uri: "/files/not-a-uuid", method: .get, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(json(response.body)["message"] as? String == "Bucket does not exist.")
            }
            try await client.execute(uri: "/files", method: .get, headers: admin) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(json(response.body)["message"] as? String == "The method is not allowed for the requested URL.")
            }
            let bucket = try await createBucket(client, admin)
            var headers = admin
            headers[HTTPField.Name("Content-MD5")!] = "AAAAAAAAAAAAAAAAAAAAAA=="
            try await client.execute(uri: "/files/\(bucket)/a.txt", method: .put, headers: headers, body: ByteBuffer(string: "hello")) {
                response in
                #expect(response.status == .badRequest)
                #expect(json(response.body)["message"] as? String == "Content-MD5 does not match the uploaded data.")
            }
            try await client.execute(uri: "/files/\(bucket)/a.txt", method: .get, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(json(response.body)["message"] as? String == "Object does not exist.")
            }
            try await client.execute(uri: "/files/\(bucket)/a.txt?versionId=nope", method: .get, headers: admin) { response in
                #expect(response.status == .unprocessableContent)
                let body = json(response.body)
                #expect(body["status"] as? Int == 422 && body["message"] as? String == "Validation error.")
                #expect((body["errors"] as? [[String: Any]])?.first?["message"] as? String == "Not a valid UUID.")
            }
            try await client.execute(uri: "/files/\(bucket)", method: .patch, headers: admin, body: ByteBuffer(string: #"{"quota_size": -1}"#)) {
                response in
                #expect(response.status == .badRequest)
                let body = json(response.body)
                #expect((body["errors"] as? [[String: Any]])?.first?["field"] as? String == "quota_size")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(json(response.body)["message"] as? String == "The requested URL was not found on the server.")
            }
        }
    }

    @Test func iiifAnswersCarryCORSAndProbesNeedNoToken() async throws {
        try await withClient { client, admin in
            let bucket = try await createBucket(client, admin)
            try await client.execute(uri: "/iiif/v3/\(bucket):nothing.png/info.json", method: .get, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
            try await client.execute(uri: "/iiif/v3/\(bucket):nothing.png/full/max/0/default.jpg", method: .options) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
            // A URL under /iiif that is no IIIF URL: the router's 404, without CORS.
            try await client.execute(uri: "/iiif/v3/a/b/full/max/0/default.jpg", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            // Whatever credentials a load balancer's probe sends.
            try await client.execute(uri: "/health", method: .get, headers: [.authorization: "Bearer nobody-has-this"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    /// Metrics are labelled with the route the router matched, as `docs/openapi.yaml` writes it.
    @Test func metricsLabelTheMatchedRoute() async throws {
        try await withClient { client, admin in
            let bucket = try await createBucket(client, admin)
            try await client.execute(uri: "/files/\(bucket)/dir/a.txt", method: .put, headers: admin, body: ByteBuffer(string: "hello")) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"vellum_http_requests_total{method="PUT",route="/files/{bucket}/{key}",status="200"} 1"#))
                #expect(text.contains(#"vellum_http_requests_total{method="POST",route="/files",status="200"} 1"#))
            }
        }
    }
}

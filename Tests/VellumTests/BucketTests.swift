import Foundation
import Testing

@Suite struct BucketTests {
    @Test func createRequiresAToken() async throws {
        let server = try await TestServer()
        let anonymous = try await server.request(.POST, "/files", token: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.header("WWW-Authenticate") == "Bearer")
        #expect(try anonymous.json()["status"] as? Int == 401)
        let unknown = try await server.request(.POST, "/files", token: "not-a-token")
        #expect(unknown.status == 401)
        #expect(try unknown.json()["message"] as? String != nil)
    }

    @Test func createReturnsTheInvenioShape() async throws {
        let server = try await TestServer()
        let reply = try await server.request(
            .POST, "/files", body: Array(#"{"quota_size": 1000, "max_file_size": 500, "public": true}"#.utf8))
        #expect(reply.status == 200)
        let json = try reply.json()
        let id = try #require(json["id"] as? String)
        #expect(UUID(uuidString: id) != nil)
        #expect(json["size"] as? Int == 0)
        #expect(json["quota_size"] as? Int == 1000)
        #expect(json["max_file_size"] as? Int == 500)
        #expect(json["locked"] as? Bool == false)
        #expect(json["public"] as? Bool == true)
        #expect((json["created"] as? String)?.hasSuffix("+00:00") == true)
        let links = try #require(json["links"] as? [String: String])
        #expect(links["self"] == "\(server.baseURL)/files/\(id)")
        #expect(links["versions"] == "\(server.baseURL)/files/\(id)?versions")
        #expect(links["uploads"] == "\(server.baseURL)/files/\(id)?uploads")
    }

    @Test func createRejectsBadBodies() async throws {
        let server = try await TestServer()
        let notJSON = try await server.request(.POST, "/files", body: Array("quota=1".utf8))
        #expect(notJSON.status == 400)
        let negative = try await server.request(.POST, "/files", body: Array(#"{"quota_size": -1}"#.utf8))
        #expect(negative.status == 400)
        let location = try await server.request(.POST, "/files", body: Array(#"{"location": "nowhere"}"#.utf8))
        #expect(location.status == 400)
        #expect(try location.json()["message"] as? String == "Unknown location 'nowhere'.")
    }

    @Test func headAndMissingBuckets() async throws {
        let server = try await TestServer()
        let id = try await server.createBucket()
        #expect(try await server.request(.HEAD, "/files/\(id)").status == 200)
        #expect(try await server.request(.HEAD, "/files/\(UUID())").status == 404)
        let missing = try await server.request(.GET, "/files/\(UUID())")
        #expect(missing.status == 404)
        #expect(try missing.json()["message"] as? String == "Bucket does not exist.")
        #expect(try await server.request(.GET, "/files/not-a-uuid").status == 404)
        let listAll = try await server.request(.GET, "/files")
        #expect(listAll.status == 405)
        #expect(try listAll.json()["status"] as? Int == 405)
        #expect(try await server.request(.GET, "/nowhere").status == 404)
    }

    @Test func privateBucketsAreInvisibleToOthers() async throws {
        let server = try await TestServer()
        let alice = try await server.cli(["token", "create", "--name", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try await server.cli(["token", "create", "--name", "bob"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bucket = try await server.createBucket(token: alice)
        #expect(try await server.request(.GET, "/files/\(bucket)", token: alice).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)", token: bob).status == 404)
        #expect(try await server.request(.HEAD, "/files/\(bucket)", token: nil).status == 404)
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", token: bob, body: [1]).status == 404)
        // Admin tokens see and change everything.
        #expect(try await server.request(.GET, "/files/\(bucket)").status == 200)
        #expect(try await server.request(.PUT, "/files/\(bucket)/a", body: [1]).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/a", token: bob).status == 404)
    }

    @Test func publicBucketsAreReadableButNotWritable() async throws {
        let server = try await TestServer()
        let alice = try await server.cli(["token", "create", "--name", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try await server.cli(["token", "create", "--name", "bob"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bucket = try await server.createBucket(token: alice, ["public": true])
        #expect(try await server.request(.PUT, "/files/\(bucket)/a.txt", token: alice, body: Array("hi".utf8)).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)", token: nil).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/a.txt", token: nil).text == "hi")
        let anonymousWrite = try await server.request(.PUT, "/files/\(bucket)/b", token: nil, body: [1])
        #expect(anonymousWrite.status == 401)
        #expect(try await server.request(.PUT, "/files/\(bucket)/b", token: bob, body: [1]).status == 403)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/a.txt", token: bob).status == 403)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/a.txt", token: nil).status == 401)
    }
}

@Suite struct LockedBucketTests {
    /// Buckets are locked through PATCH in a later release; here the flag is set in the database directly.
    @Test func lockedBucketsRefuseChangesButServeReads() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8)).status == 200)
        try await server.sql("UPDATE buckets SET locked = TRUE WHERE id = '\(bucket)'")
        for reply in [
            try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("two".utf8)),
            try await server.request(.DELETE, "/files/\(bucket)/doc"),
        ] {
            #expect(reply.status == 403)
            #expect(try reply.json()["message"] as? String == "Bucket is locked for modifications.")
        }
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "one")
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["locked"] as? Bool == true)
    }
}

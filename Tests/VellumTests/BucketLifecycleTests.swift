import Foundation
import NIOHTTP1
import Testing

@Suite struct BucketLifecycleTests {
    func patch(_ server: TestServer, _ bucket: String, _ body: String, token: String? = TestServer.adminToken)
        async throws -> TestServer.Reply
    {
        try await server.request(.PATCH, "/files/\(bucket)", token: token, body: Array(body.utf8))
    }

    @Test func patchChangesSettingsAndValidates() async throws {
        let server = try await TestServer()
        let alice = try await server.cli(["token", "create", "--name", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try await server.cli(["token", "create", "--name", "bob"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bucket = try await server.createBucket(token: alice)
        let reply = try await patch(server, bucket, #"{"quota_size": 100, "max_file_size": 50, "public": true}"#, token: alice)
        #expect(reply.status == 200)
        let json = try reply.json()
        #expect(json["quota_size"] as? Int == 100 && json["max_file_size"] as? Int == 50 && json["public"] as? Bool == true)
        let big = try await server.request(.PUT, "/files/\(bucket)/x", token: alice, body: Fixtures.bytes(60))
        #expect(try big.json()["message"] as? String == "Maximum file size exceeded.")
        // The owner may not remove a limit (BucketLimitTests); an admin may.
        #expect(try await patch(server, bucket, #"{"max_file_size": null}"#, token: alice).status == 403)
        let cleared = try await patch(server, bucket, #"{"max_file_size": null}"#)
        #expect(try cleared.json()["max_file_size"] is NSNull)
        #expect(try cleared.json()["quota_size"] as? Int == 100)
        #expect(try await server.request(.PUT, "/files/\(bucket)/x", token: alice, body: Fixtures.bytes(60)).status == 200)

        for (body, field) in [
            (#"{"color": "red"}"#, "color"), (#"{"quota_size": "big"}"#, "quota_size"), (#"{"locked": 1}"#, "locked"),
            (#"{"quota_size": -1}"#, "quota_size"),
        ] {
            let bad = try await patch(server, bucket, body, token: alice)
            #expect(bad.status == 400)
            #expect((try bad.json()["errors"] as? [[String: String]])?.first?["field"] == field)
        }
        #expect(try await patch(server, bucket, "[1]", token: alice).status == 400)
        // Bob can read the public bucket but not change it; anonymous gets 401.
        #expect(try await patch(server, bucket, #"{"public": false}"#, token: bob).status == 403)
        #expect(try await patch(server, bucket, #"{"public": false}"#, token: nil).status == 401)
        #expect(try await patch(server, UUID().uuidString.lowercased(), "{}").status == 404)
    }

    @Test func lockedBucketsRefuseChangesUntilAnAdminUnlocks() async throws {
        let server = try await TestServer()
        let alice = try await server.cli(["token", "create", "--name", "alice"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let bucket = try await server.createBucket(token: alice)
        let put = try await server.request(.PUT, "/files/\(bucket)/doc", token: alice, body: Array("v1".utf8))
        let version = try #require(try put.json()["version_id"] as? String)
        #expect(try await patch(server, bucket, #"{"locked": true}"#, token: alice).status == 200)

        let locked = "Bucket is locked for modifications."
        let attempts: [(HTTPMethod, String)] = [
            (.PUT, "/files/\(bucket)/doc"), (.DELETE, "/files/\(bucket)/doc"),
            (.DELETE, "/files/\(bucket)/doc?versionId=\(version)"),
            (.POST, "/files/\(bucket)/big?uploads&size=\(6 * mib)&partSize=\(5 * mib)"), (.DELETE, "/files/\(bucket)"),
        ]
        for (method, path) in attempts {
            let reply = try await server.request(method, path, token: alice, body: method == .PUT ? [1] : nil)
            #expect(reply.status == 403, "\(method) \(path)")
            #expect(try reply.json()["message"] as? String == locked)
        }
        #expect(try await patch(server, bucket, #"{"locked": false}"#, token: alice).status == 403)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc", token: alice).text == "v1")
        #expect(try await patch(server, bucket, #"{"locked": false}"#).status == 200)
        #expect(try await server.request(.PUT, "/files/\(bucket)/doc", token: alice, body: Array("v2".utf8)).status == 200)
    }

    @Test func deleteOnlyEmptyBuckets() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let put = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("v1".utf8))
        let version = try #require(try put.json()["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc").status == 204)  // soft: bytes stay
        let full = try await server.request(.DELETE, "/files/\(bucket)")
        #expect(full.status == 409)
        #expect(try full.json()["status"] as? Int == 409)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=\(version)").status == 204)

        let upload = try #require(try await server.startUpload(bucket, "up", size: 6 * mib)["id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)").status == 409)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/up?uploadId=\(upload)").status == 204)

        // Only a delete marker is left: the bucket can go.
        #expect(try await server.request(.DELETE, "/files/\(bucket)").status == 204)
        #expect(try await server.request(.GET, "/files/\(bucket)").status == 404)
        #expect(try await server.request(.DELETE, "/files/\(bucket)").status == 404)
        #expect(try await server.storedBlobs().isEmpty)
        #expect(try await server.pendingBlobs().isEmpty)
    }
}

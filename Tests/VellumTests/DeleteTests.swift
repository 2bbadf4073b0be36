import Foundation
import Testing

@Suite struct DeleteTests {
    @Test func softDeleteKeepsVersions() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let v1 = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8)).json()
        let id = try #require(v1["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc").status == 204)
        let gone = try await server.request(.GET, "/files/\(bucket)/doc")
        #expect(gone.status == 404)
        #expect(try gone.json()["message"] as? String == "Object does not exist.")
        #expect(try await server.request(.GET, "/files/\(bucket)/doc?versionId=\(id)").text == "one")
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc").status == 404)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/never").status == 404)
        let listing = try await server.request(.GET, "/files/\(bucket)").json()
        #expect((listing["contents"] as? [Any])?.isEmpty == true)
        #expect(try await server.storedBlobs().count == 1)
        // A new upload after a soft delete becomes the head again.
        #expect(try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("two".utf8)).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "two")
    }

    @Test func versionDeleteFreesBytesAndPromotesThePrevious() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let v1 = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8)).json()
        let v2 = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("second".utf8)).json()
        #expect(try await server.storedBlobs().count == 2)
        let id2 = try #require(v2["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=\(id2)").status == 204)
        #expect(try await server.storedBlobs().count == 1)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "one")
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == 3)
        let id1 = try #require(v1["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=\(id2)").status == 404)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=bad").status == 422)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=\(id1)").status == 204)
        #expect(try await server.storedBlobs().isEmpty)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").status == 404)
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == 0)
    }

    @Test func deleteMarkersAreListedAndCanBeRemoved() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        _ = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8))
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc").status == 204)
        // ?versions lists the delete marker too; removing it by id undoes the soft delete.
        let versions = try await server.request(.GET, "/files/\(bucket)?versions").json()
        let contents = try #require(versions["contents"] as? [[String: Any]])
        #expect(contents.count == 2)
        #expect(contents[0]["delete_marker"] as? Bool == true)
        #expect(contents[0]["is_head"] as? Bool == true)
        #expect(contents[1]["is_head"] as? Bool == false)
        let marker = try #require(contents[0]["version_id"] as? String)
        #expect(try await server.request(.DELETE, "/files/\(bucket)/doc?versionId=\(marker)").status == 204)
        #expect(try await server.request(.GET, "/files/\(bucket)/doc").text == "one")
    }

    @Test func missingBytesGiveAnErrorNotATruncatedFile() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        _ = try await server.request(.PUT, "/files/\(bucket)/doc", body: Array("one".utf8))
        for name in try await server.storedBlobs() { try await StoredBlob(server: server, name: name).remove() }
        let reply = try await server.request(.GET, "/files/\(bucket)/doc")
        #expect(reply.status == 500)
        #expect(try reply.json()["message"] as? String == "Stored file is missing.")
        #expect(!reply.text.contains(server.dataDir))
    }
}

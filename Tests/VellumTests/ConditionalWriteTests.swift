import Foundation
import Testing

@Suite struct ConditionalWriteTests {
    @Test func ifNoneMatchAndIfMatchOnPut() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let path = "/files/\(bucket)/doc"
        let create = try await server.request(.PUT, path, headers: [("If-None-Match", "*")], body: Array("v1".utf8))
        #expect(create.status == 200)
        let etag = try #require(create.header("ETag"))
        let again = try await server.request(.PUT, path, headers: [("If-None-Match", "*")], body: Array("v2".utf8))
        #expect(again.status == 412)
        #expect(try again.json()["status"] as? Int == 412)
        #expect(try await server.request(.PUT, path, headers: [("If-Match", "\"md5:0\"")], body: [1]).status == 412)
        #expect(try await server.request(.PUT, path, headers: [("If-None-Match", etag)], body: [1]).status == 412)
        let update = try await server.request(.PUT, path, headers: [("If-Match", etag)], body: Array("v2".utf8))
        #expect(update.status == 200)
        #expect(try await server.request(.PUT, path, headers: [("If-Match", etag)], body: [3]).status == 412)  // stale
        #expect(try await server.request(.PUT, path, headers: [("If-Match", "*")], body: Array("v3".utf8)).status == 200)
        #expect(try await server.request(.GET, path).text == "v3")
        #expect(try await server.request(.PUT, "/files/\(bucket)/new", headers: [("If-Match", "*")], body: [1]).status == 412)
        // A soft-deleted key has no object: create-only works again.
        #expect(try await server.request(.DELETE, path).status == 204)
        #expect(try await server.request(.PUT, path, headers: [("If-None-Match", "*")], body: Array("v4".utf8)).status == 200)
        let versions = try await server.request(.GET, "/files/\(bucket)?versions").json()["contents"] as? [Any]
        #expect(versions?.count == 5)  // v1, v2, v3, the delete marker, v4
        #expect(try await server.pendingBlobs().isEmpty)
    }

    @Test func concurrentCreateOnlyWritesHaveExactlyOneWinner() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for round in 0..<3 {
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<12 {
                    group.addTask {
                        try await server.request(
                            .PUT, "/files/\(bucket)/race\(round)", headers: [("If-None-Match", "*")],
                            body: Fixtures.bytes(200_000, seed: UInt8(writer))
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == 11)
        }
        let listing = try await server.request(.GET, "/files/\(bucket)?versions").json()
        #expect((listing["contents"] as? [Any])?.count == 3)
        #expect(listing["size"] as? Int == 3 * 200_000)
        #expect(try await server.storedBlobs().count == 3)
        #expect(try await server.pendingBlobs().isEmpty)
    }
}

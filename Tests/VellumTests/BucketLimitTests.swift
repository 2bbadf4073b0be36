import Foundation
import Testing

@Suite struct BucketLimitTests {
    @Test func ownersMayLowerLimitsButNotRaiseOrRemoveThem() async throws {
        let server = try await TestServer(environment: [
            "VELLUM_DEFAULT_QUOTA_SIZE": "1000000", "VELLUM_DEFAULT_MAX_FILE_SIZE": "500000",
        ])
        let owner = try await server.cli(["token", "create", "--name", "owner"]).trimmingCharacters(in: .whitespacesAndNewlines)
        func patch(_ bucket: String, _ body: String, token: String) async throws -> TestServer.Reply {
            try await server.request(.PATCH, "/files/\(bucket)", token: token, body: Array(body.utf8))
        }
        // Defaults apply to new buckets; asking for more (or for none) at creation is refused.
        let bucket = try await server.createBucket(token: owner)
        let made = try await server.request(.GET, "/files/\(bucket)", token: owner).json()
        #expect(made["quota_size"] as? Int == 1_000_000)
        #expect(made["max_file_size"] as? Int == 500_000)
        for options in [["quota_size": 2_000_000], ["max_file_size": 0], ["quota_size": 0]] {
            let body = try JSONSerialization.data(withJSONObject: options)
            let refused = try await server.request(.POST, "/files", token: owner, body: Array(body))
            #expect(refused.status == 403, "\(options)")
            #expect(try refused.json()["message"] as? String == "Only an administrator may raise or remove a bucket's limits.")
        }
        #expect(try await server.createBucket(token: owner, ["quota_size": 10]) != "")
        // By PATCH: lower is fine, back up or away is not.
        #expect(try await patch(bucket, #"{"quota_size": 500000}"#, token: owner).status == 200)
        for body in [
            #"{"quota_size": 600000}"#, #"{"quota_size": null}"#, #"{"quota_size": 0}"#, #"{"max_file_size": null}"#,
            #"{"max_file_size": 500001}"#,
        ] {
            #expect(try await patch(bucket, body, token: owner).status == 403, "\(body)")
        }
        let after = try await server.request(.GET, "/files/\(bucket)", token: owner).json()
        #expect(after["quota_size"] as? Int == 500_000)
        #expect(after["max_file_size"] as? Int == 500_000)
        // Admins may do anything.
        #expect(try await patch(bucket, #"{"quota_size": null, "max_file_size": 0}"#, token: TestServer.adminToken).status == 200)
        #expect(try await server.createBucket(["quota_size": 0]) != "")
    }

    @Test func concurrentUploadsNeverExceedTheQuota() async throws {
        let server = try await TestServer()
        let quota = 10_000_000
        let size = 1_000_000
        let bucket = try await server.createBucket(["quota_size": quota])
        // 20 uploads of 1 MB start at once and stall half-way: the quota holds 10 of them, so the other 10 are
        // refused before their bodies are read, while the first 10 are still in flight.
        let bodies = (0..<20).map { Fixtures.bytes(size, seed: UInt8($0)) }
        let connections = try (0..<20).map { i in
            let connection = try RawConnection(port: server.port)
            try connection.sendPut("/files/\(bucket)/f\(i)", length: size)
            try connection.send(Array(bodies[i][..<(size / 2)]))
            return connection
        }
        let answers = AsyncStream<(Int, String)>.makeStream()
        for (i, connection) in connections.enumerated() {
            Task {
                answers.continuation.yield((i, await connection.receive(until: "\r\n\r\n")))
            }
        }
        var statuses: [Int: String] = [:]
        var iterator = answers.stream.makeAsyncIterator()
        for _ in 0..<10 {
            guard let (i, head) = await iterator.next() else { break }
            statuses[i] = head
        }
        #expect(statuses.values.allSatisfy { $0.hasPrefix("HTTP/1.1 400") }, "\(statuses)")
        #expect(try await server.storedBytes() <= quota)
        for (i, connection) in connections.enumerated() where statuses[i] == nil {
            try connection.send(Array(bodies[i][(size / 2)...]))
        }
        for _ in 0..<10 {
            guard let (i, head) = await iterator.next() else { break }
            statuses[i] = head
        }
        let stored = statuses.values.filter { $0.hasPrefix("HTTP/1.1 200") }.count
        #expect(stored == 10, "\(statuses)")
        let bucketJSON = try await server.request(.GET, "/files/\(bucket)").json()
        #expect(bucketJSON["size"] as? Int == stored * size)
        #expect(try await server.storedBytes() <= quota)
        // Chunked bodies of unknown length are held against the quota too, and give it back when refused.
        let chunked = try await server.putChunked(
            "/files/\(bucket)/chunked", chunks: Array(repeating: Fixtures.bytes(1 << 20), count: 12))
        #expect(chunked.status == 400)
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == stored * size)
        #expect(try await server.sql("SELECT COUNT(*) FROM upload_reservations") == ["0"])
    }

    @Test func holdsOfUploadsInFlightOutliveMaintenancePasses() async throws {
        let server = try await TestServer(environment: ["VELLUM_MULTIPART_EXPIRES": "4s"])  // a pass every second
        let bucket = try await server.createBucket(["quota_size": 1_000_000])
        let body = Fixtures.bytes(600_000)
        let slow = try RawConnection(port: server.port)
        try slow.sendPut("/files/\(bucket)/slow", length: body.count)
        try slow.send(Array(body[..<1000]))
        // The upload holds its bytes once its blob is made pending (on S3, after a request to the store): wait for
        // the hold, then for maintenance passes to go by it.
        #expect(try await eventually { try await server.sql("SELECT COUNT(*) FROM upload_reservations") == ["1"] })
        try await server.waitForPasses("maintenance")
        let other = try await server.request(.PUT, "/files/\(bucket)/other", body: Fixtures.bytes(500_000))
        #expect(other.status == 400, "\(other.text)")
        try slow.send(Array(body[1000...]))
        #expect(await slow.receive(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try await server.request(.GET, "/files/\(bucket)").json()["size"] as? Int == body.count)
    }
}

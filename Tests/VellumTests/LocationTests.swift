import Foundation
import NIOCore
import Testing

/// `GET/POST /locations`: administrators list and add storage locations while the daemon runs; buckets created
/// in a location store their files there.
@Suite struct LocationTests {
    func body(_ object: [String: Any]) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: object)) }

    @Test func administratorsListAndAddLocations() async throws {
        let server = try await TestServer()
        let user = try await server.cli(["token", "create", "--name", "user"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await server.request(.GET, "/locations", token: nil).status == 401)
        #expect(try await server.request(.GET, "/locations", token: user).status == 403)
        let archive = server.dataDir + "/archive"
        let add = try body(["name": "archive", "uri": "file://\(archive)"])
        #expect(try await server.request(.POST, "/locations", token: user, body: add).status == 403)

        let added = try await server.request(.POST, "/locations", body: add)
        #expect(added.status == 201)
        #expect(try added.json()["default"] as? Bool == false)
        #expect(FileManager.default.fileExists(atPath: archive))
        let again = try await server.request(.POST, "/locations", body: add)
        #expect(again.status == 409)
        #expect(try again.json()["status"] as? Int == 409)
        // Two locations never share bytes: the same place, or one inside the other, is refused.
        for uri in ["file://\(archive)/", "file://\(archive)/inner", "file://\(server.dataDir)"] {
            let overlapping = try await server.request(.POST, "/locations", body: try body(["name": "copy", "uri": uri]))
            #expect(overlapping.status == 409, "\(uri): \(overlapping.text)")
        }
        for bad in [
            ["name": "Bad Name", "uri": "file:///tmp/x"], ["name": "rel", "uri": "file://relative"],
            ["name": "s3", "uri": "s3://bucket?secret=x"], ["name": "s3", "uri": "s3://key:secret@bucket"],
            ["name": "ftp", "uri": "ftp://host/x"], ["uri": "file:///tmp/x"],
        ] {
            let reply = try await server.request(.POST, "/locations", body: try body(bad))
            #expect(reply.status == 400, "\(bad): \(reply.text)")
        }

        let listed = try await server.request(.GET, "/locations").json()
        let locations = try #require(listed["locations"] as? [[String: Any]])
        #expect(locations.map { $0["name"] as? String } == ["archive", "default"])
        #expect(locations.first { $0["name"] as? String == "default" }?["default"] as? Bool == true)

        let bucket = try await server.createBucket(["location": "archive"])
        #expect(try await server.request(.PUT, "/files/\(bucket)/x", body: [1, 2, 3]).status == 200)
        let files = FileManager.default.enumerator(atPath: archive)?.allObjects as? [String] ?? []
        #expect(files.contains { $0.split(separator: "/").count == 2 && !$0.hasPrefix(".tmp") })

        // A new default: buckets created from now on store their files there.
        let other = server.dataDir + "/other"
        let made = try await server.request(.POST, "/locations", body: try body(["name": "other", "uri": "file://\(other)", "default": true]))
        #expect(made.status == 201)
        let next = try await server.createBucket()
        #expect(try await server.request(.GET, "/files/\(next)").json()["location"] as? String == "other")
    }

    /// An S3 bucket as a second location, added while the daemon runs: it must exist, and the daemon must have
    /// credentials (the S3 pass gives them).
    @Test(.enabled(if: TestServer.onS3)) func anS3LocationCanBeAdded() async throws {
        let server = try await TestServer()
        let endpoint = try #require(TestServer.s3Endpoint)
        let missing = "s3://vt-missing-\(UUID().uuidString.lowercased())?endpoint=\(endpoint)&region=us-east-1"
        #expect(try await server.request(.POST, "/locations", body: try body(["name": "gone", "uri": missing])).status >= 400)
        let uri = try await TestServer.newS3Bucket(endpoint: endpoint)
        #expect(try await server.request(.POST, "/locations", body: try body(["name": "second", "uri": uri])).status == 201)
        let bucket = try await server.createBucket(["location": "second"])
        let data = Fixtures.bytes(10_000)
        #expect(try await server.request(.PUT, "/files/\(bucket)/x", body: data).status == 200)
        #expect(try await server.request(.GET, "/files/\(bucket)/x").bytes == data)
        let listing = try await TestServer.s3Client(uri).send(.GET, key: "", query: [("list-type", "2"), ("prefix", "blobs")])
        #expect(String(buffer: listing.body).contains("<Size>10000</Size>"))
    }
}

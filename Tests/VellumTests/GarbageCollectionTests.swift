import Foundation
import Testing

@Suite struct GarbageCollectionTests {
    @Test func sharedBytesLiveUntilTheLastVersionGoes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let other = try await server.createBucket()
        let data = Fixtures.bytes(300_000)
        let original = try await server.request(.PUT, "/files/\(bucket)/a.bin", body: data)
        let versionA = try #require(try original.json()["version_id"] as? String)
        let copy = try await server.request(
            .PUT, "/files/\(other)/b.bin", headers: [("X-Vellum-Copy-Source", "\(bucket)/a.bin?versionId=\(versionA)")])
        #expect(copy.status == 200)
        let versionB = try #require(try copy.json()["version_id"] as? String)
        #expect(try copy.json()["checksum"] as? String == "md5:\(Fixtures.md5(data))")
        #expect(try await server.storedBlobs().count == 1)  // shared, not copied
        #expect(try await server.bucketSize(other) == data.count)

        #expect(try await server.request(.DELETE, "/files/\(bucket)/a.bin?versionId=\(versionA)").status == 204)
        #expect(try await server.storedBlobs().count == 1)
        #expect(try await server.request(.GET, "/files/\(other)/b.bin").bytes == data)
        #expect(try await server.bucketSize(bucket) == 0)

        #expect(try await server.request(.DELETE, "/files/\(other)/b.bin?versionId=\(versionB)").status == 204)
        #expect(try await server.storedBlobs().isEmpty)
        #expect(try await server.bucketSize(other) == 0)

        let missing = try await server.request(
            .PUT, "/files/\(other)/c", headers: [("X-Vellum-Copy-Source", "\(bucket)/a.bin")])
        #expect(missing.status == 404)
        let malformed = try await server.request(.PUT, "/files/\(other)/c", headers: [("X-Vellum-Copy-Source", "nonsense")])
        #expect(malformed.status == 400)
    }

    @Test func bucketSizeIsAlwaysItsVersionsPlusReservations() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        for (key, size) in [("a", 1000), ("b", 2000), ("a", 3000)] {
            #expect(try await server.request(.PUT, "/files/\(bucket)/\(key)", body: Fixtures.bytes(size)).status == 200)
        }
        #expect(try await server.request(.DELETE, "/files/\(bucket)/b").status == 204)
        let upload = try #require(try await server.startUpload(bucket, "m", size: 7 * mib)["id"] as? String)
        #expect(try await server.putPart(bucket, "m", upload, 0, Fixtures.bytes(5 * mib)).status == 200)
        let versions = try #require(try await server.request(.GET, "/files/\(bucket)?versions").json()["contents"] as? [[String: Any]])
        let expected = versions.compactMap { $0["size"] as? Int }.reduce(0, +) + 7 * mib
        #expect(try await server.bucketSize(bucket) == expected)
        // A restart reconciles from first principles and finds nothing to change.
        try await server.stop()
        try await server.start()
        #expect(try await server.bucketSize(bucket) == expected)
    }

    @Test func scanFindsAndRemovesOnlyUnreferencedBytes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        #expect(try await server.request(.PUT, "/files/\(bucket)/kept", body: Array("kept".utf8)).status == 200)
        // What a power loss can leave: bytes at a final place that nothing refers to.
        let orphan = UUID()
        let pending = UUID()
        try await server.storeBlob(orphan, Fixtures.bytes(1234))
        // An upload in flight: at its final place, not committed yet, still marked pending.
        try await server.storeBlob(pending, [1, 2, 3], pending: true)

        let report = try await server.cli(["gc"])
        #expect(report.contains("default\t\(orphan.uuidString.lowercased())\t1234"))
        #expect(!report.contains(pending.uuidString.lowercased()))
        #expect(report.contains("scanned 3 blobs: 1 unreferenced (1234 bytes)"))
        #expect(try await server.storedBlobs().count == 3)  // listing only

        #expect(try await server.cli(["gc", "--delete"]).contains("1 deleted"))
        let left = try await server.storedBlobs()
        #expect(left.count == 2)
        #expect(!left.contains { $0.hasSuffix(orphan.uuidString.lowercased()) })
        #expect(left.contains { $0.hasSuffix(pending.uuidString.lowercased()) })
        #expect(try await server.request(.GET, "/files/\(bucket)/kept").text == "kept")
        #expect(try await server.cli(["gc"]).contains("0 unreferenced"))
    }
}

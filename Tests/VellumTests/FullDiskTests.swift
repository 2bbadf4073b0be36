import Foundation
import Testing

/// A data directory on a small tmpfs, filled up: writes answer 507 and leave nothing behind, and deletions still
/// work, so that space can be freed through the API. Needs root (mount); files on local disk.
@Suite(.enabled(if: !TestServer.onS3 && getuid() == 0)) struct FullDiskTests {
    @Test func aFullDiskGives507AndDeletionsStillWork() async throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-full-\(UUID())").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        _ = try await TestServer.runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=40m", "tmpfs", mount])
        defer {
            _ = try? FileManager.default.removeItem(atPath: mount + "/filler")
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/usr/bin/umount")
            umount.arguments = ["-l", mount]
            try? TestServer.spawn(umount)
            umount.waitUntilExit()
        }
        let server = try await TestServer(environment: ["VELLUM_DATA_DIR": mount])
        let bucket = try await server.createBucket()
        var stored: [String: String] = [:]  // key: version id
        var full: TestServer.Reply?
        for i in 0..<20 where full == nil {
            let reply = try await server.request(.PUT, "/files/\(bucket)/f\(i)", body: Fixtures.bytes(4 << 20, seed: UInt8(i)))
            #expect(reply.status == 200 || reply.status == 507, "\(reply.status) \(reply.text)")
            if reply.status == 200 { stored["f\(i)"] = try reply.json()["version_id"] as? String } else { full = reply }
        }
        let refused = try #require(full)
        #expect(try refused.json()["status"] as? Int == 507)
        #expect((try refused.json()["message"] as? String)?.hasPrefix("Insufficient storage") == true)
        #expect(stored.count >= 2)
        #expect(try Self.pending(mount).isEmpty)

        // Another program takes what is left: not a byte free.
        let filler = try #require(
            FileHandle(forWritingAtPath: mount + "/filler")
                ?? {
                    FileManager.default.createFile(atPath: mount + "/filler", contents: nil)
                    return FileHandle(forWritingAtPath: mount + "/filler")
                }())
        while (try? filler.write(contentsOf: Data(count: 65536))) != nil {}
        while (try? filler.write(contentsOf: Data(count: 512))) != nil {}
        try? filler.close()
        let small = try await server.request(.PUT, "/files/\(bucket)/small", body: Fixtures.bytes(1000))
        #expect(small.status == 507, "\(small.text)")
        #expect(try await server.request(.GET, "/files/\(bucket)/small").status == 404)
        #expect(try Self.pending(mount).isEmpty)

        // A restart on the full disk: the database still opens (it needs room for its write-ahead log).
        #expect(try await server.stop() == 0)
        try await server.start()
        #expect(try await server.request(.PUT, "/files/\(bucket)/small", body: Fixtures.bytes(1000)).status == 507)
        // Deletions work: a soft delete, then every version for good.
        #expect(try await server.request(.DELETE, "/files/\(bucket)/f0").status == 204)
        for (key, version) in stored {
            let reply = try await server.request(.DELETE, "/files/\(bucket)/\(key)?versionId=\(version)")
            #expect(reply.status == 204, "\(reply.status) \(reply.text)")
        }
        // The freed space is usable again.
        #expect(try await server.request(.PUT, "/files/\(bucket)/again", body: Fixtures.bytes(1 << 20)).status == 200)
        #expect(try await server.health() == 200)
        #expect(try await server.stop() == 0)
    }

    /// Pending (unfinished) blobs in the location `default` of a data directory.
    static func pending(_ dataDir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dataDir + "/default/.tmp")
    }
}

import Foundation
import Testing

/// A pyramid that cannot be made (its location's `.tmp` is not a directory; on S3, the renderer's scratch folder,
/// where the original is copied, is not one) is tried again after a pause that doubles, not at every pass, and
/// listed at `GET /derivatives/failures` until it is made.
@Suite struct DerivativeRetryTests {
    @Test func failedPyramidsBackOffAndAreListed() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let jpg = server.dataDir + "/photo.jpg"
        try await IIIFTests.python("from PIL import Image; Image.effect_noise((600, 400), 64).convert('RGB').save('\(jpg)')")
        // Stored as text, so no pyramid is asked for yet: the request is added below, once storing is broken.
        let upload = try await server.request(
            .PUT, "/files/\(bucket)/photo.jpg", headers: [("Content-Type", "text/plain")],
            body: try [UInt8](Data(contentsOf: URL(fileURLWithPath: jpg))))
        #expect(upload.status == 200)
        let file = try #require(try await server.sql("SELECT file_id FROM object_versions WHERE key = 'photo.jpg'").first)
        let scratch = server.dataDir + "/tmp/iiif"
        let tmp =
            server.s3 == nil
            ? server.dataDir + "/default/.tmp"
            : scratch + "/" + (try FileManager.default.contentsOfDirectory(atPath: scratch).first ?? "")
        try FileManager.default.removeItem(atPath: tmp)
        FileManager.default.createFile(atPath: tmp, contents: nil)
        let requested = Date()
        try await server.sql("INSERT INTO file_derivatives (file_id, kind, created) VALUES ('\(file)', 'pyramid', 0)")
        try await server.sql(
            """
            INSERT INTO jobs (id, kind, subject, state, due, created)
            VALUES ('\(UUID().uuidString.lowercased())', 'derivative:pyramid', '\(file)', 'due', 0, 0)
            """)

        func failures() async throws -> [[String: Any]] {
            try await server.request(.GET, "/derivatives/failures").json()["failures"] as? [[String: Any]] ?? []
        }
        var listed: [String: Any]?
        for _ in 0..<100 where listed == nil {
            try await Task.sleep(for: .milliseconds(100))
            listed = try await failures().first
        }
        let failure = try #require(listed)
        #expect(failure["file_id"] as? String == file)
        #expect(failure["bucket"] as? String == bucket && failure["key"] as? String == "photo.jpg")
        #expect(failure["kind"] as? String == "pyramid" && failure["retrying"] as? Bool == true)
        #expect(failure["attempts"] as? Int == 1)
        #expect(failure["next_attempt"] is String)
        let next = try #require(try await server.sql("SELECT due FROM jobs").first.flatMap(Double.init))
        #expect(next / 1e6 - requested.timeIntervalSince1970 >= 29.9)  // 30 s after the first failure
        // The pyramid pass runs every second: the failed one waits for its turn.
        try await server.waitForPasses("pyramids")
        #expect(try await failures().first?["attempts"] as? Int == 1)
        #expect(try await server.request(.GET, "/derivatives/failures", token: nil).status == 401)

        // Repaired and due: made, and no longer listed.
        try FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        try await server.sql("UPDATE jobs SET due = 0")
        try await eventually(100, every: .milliseconds(100)) { try await failures().isEmpty }
        #expect(try await failures().isEmpty)
        #expect(try await server.sql("SELECT COUNT(*) FROM file_derivatives WHERE derivative_id IS NOT NULL") == ["1"])
    }
}

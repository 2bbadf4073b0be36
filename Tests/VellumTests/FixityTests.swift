import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FixityTests {
    /// Uploads `sizes.count` files of the given sizes (each size unique, to find its blob) under keys `f<size>`.
    func upload(_ sizes: [Int], to bucket: String, on server: TestServer) async throws {
        for size in sizes {
            let reply = try await server.request(.PUT, "/files/\(bucket)/f\(size)", body: Fixtures.bytes(size))
            #expect(reply.status == 200)
        }
    }

    func object(_ server: TestServer, _ bucket: String, _ key: String) async throws -> [String: Any] {
        try await server.request(.GET, "/files/\(bucket)?versions").json()["contents"]
            .flatMap { $0 as? [[String: Any]] }?.first { $0["key"] as? String == key } ?? [:]
    }

    /// A flipped bit, a truncated file and a deleted one are each detected with the right outcome, listed by
    /// `GET /fixity/failures`, and make `fixity run` exit 1; the untouched file passes; only admins read reports.
    @Test func damageIsDetectedAndReported() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        try await upload([70_001, 70_002, 70_003, 70_004], to: bucket, on: server)
        #expect(try await server.cliStatus(["fixity", "run"]).status == 0)
        #expect(try await object(server, bucket, "f70001")["last_check"] as? Bool == true)

        let flipped = try await server.blob(size: 70_002)
        var bytes = try await flipped.read()
        bytes[12_345] ^= 0x10
        try await flipped.write(bytes)
        let truncated = try await server.blob(size: 70_003)
        try await truncated.write(Array(try await truncated.read().prefix(35_000)))
        try await server.blob(size: 70_004).remove()

        let run = try await server.cliStatus(["fixity", "run"])
        #expect(run.status == 1)
        #expect(run.output.contains("3 failed"))
        #expect(try await object(server, bucket, "f70001")["last_check"] as? Bool == true)
        #expect(try await object(server, bucket, "f70002")["last_check"] as? Bool == false)

        let report = try await server.request(.GET, "/fixity/failures").json()
        let failures = report["failures"] as? [[String: Any]] ?? []
        let outcomes = Dictionary(uniqueKeysWithValues: failures.map { ($0["key"] as? String ?? "", $0) })
        #expect(failures.count == 3)
        #expect(outcomes["f70002"]?["outcome"] as? String == "checksum_mismatch")
        #expect(outcomes["f70003"]?["outcome"] as? String == "size_mismatch")
        #expect(outcomes["f70004"]?["outcome"] as? String == "missing")
        let mismatch = outcomes["f70002"] ?? [:]
        let expected = mismatch["expected"] as? [String: Any]
        let actual = mismatch["actual"] as? [String: Any]
        let expectedMD5 = expected?["md5"] as? String
        let actualMD5 = actual?["md5"] as? String
        #expect(expectedMD5 != nil && actualMD5 != nil && expectedMD5 != actualMD5)
        #expect((outcomes["f70003"]?["actual"] as? [String: Any])?["size"] as? Int == 35_000)
        #expect(mismatch["bucket"] as? String == bucket)
        #expect(mismatch["version_id"] is String)

        let status = try await server.request(.GET, "/fixity").json()
        #expect(status["files"] as? Int == 4)
        #expect(status["failures"] as? Int == 3)
        #expect(status["verified_in_period"] as? Int == 4)

        let user = try await server.cli(["token", "create", "--name", "user"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await server.request(.GET, "/fixity", token: user).status == 403)
        #expect(try await server.request(.GET, "/fixity/failures", token: user).status == 403)
        #expect(try await server.request(.GET, "/fixity/failures", token: nil).status == 401)

        // A failure stays until the bytes are repaired and a check passes.
        #expect(try await server.cliStatus(["fixity", "run"]).status == 1)
        bytes[12_345] ^= 0x10
        try await flipped.write(bytes)
        #expect(try await server.cliStatus(["fixity", "run", "--bucket", bucket]).status == 1)  // two are still damaged
        #expect(try await object(server, bucket, "f70002")["last_check"] as? Bool == true)

        let history = try await server.cli(["fixity", "history", "--since", "1h"]).split(separator: "\n")
        #expect(history.count == 16)  // four runs of four files
        #expect(history.contains { $0.contains("\"outcome\":\"missing\"") })
    }

    /// Files over 1 mib are verified several at once, their MD5s side by side in vector lanes: a flipped bit in one
    /// file's second chunk and a truncation of another are found, the other files (of different lengths) pass.
    @Test func largeFilesAreVerifiedTogether() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let sizes = (0..<10).map { 1_100_001 + 300_007 * $0 }
        try await upload(sizes, to: bucket, on: server)

        let flipped = try await server.blob(size: sizes[3])
        var bytes = try await flipped.read()
        bytes[1_500_000] ^= 0x01
        try await flipped.write(bytes)
        let truncated = try await server.blob(size: sizes[7])
        try await truncated.write(Array(try await truncated.read().prefix(1_048_586)))

        let run = try await server.cliStatus(["fixity", "run"])
        #expect(run.status == 1)
        #expect(run.output.contains("2 failed"))
        let failures = try await server.request(.GET, "/fixity/failures").json()["failures"] as? [[String: Any]] ?? []
        let outcomes = Dictionary(uniqueKeysWithValues: failures.map { ($0["key"] as? String ?? "", $0["outcome"]) })
        #expect(outcomes.count == 2)
        #expect(outcomes["f\(sizes[3])"] as? String == "checksum_mismatch")
        #expect(outcomes["f\(sizes[7])"] as? String == "size_mismatch")
        for size in sizes where size != sizes[3] && size != sizes[7] {
            #expect(try await object(server, bucket, "f\(size)")["last_check"] as? Bool == true, "f\(size)")
        }
    }

    /// With a short period the daemon verifies every file by itself.
    @Test func theDaemonVerifiesOnSchedule() async throws {
        let server = try await TestServer(environment: ["VELLUM_FIXITY_PERIOD": "2s"])
        let bucket = try await server.createBucket()
        try await upload([5_001, 5_002, 5_003], to: bucket, on: server)
        var unchecked = 3
        for _ in 0..<100 {
            unchecked = try await server.request(.GET, "/fixity").json()["never_checked"] as? Int ?? 3
            if unchecked == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(unchecked == 0)
        #expect(try await object(server, bucket, "f5002")["last_check_at"] is String)
        let metrics = try await server.request(.GET, "/metrics").text
        #expect(metrics.contains("vellum_fixity_checks_total{outcome=\"passed\"}"))
    }

    /// `--max-rate` holds: 30 mib at 5 MB/s takes at least 5 s.
    @Test func theThrottleHolds() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        try await upload([10 << 20, (10 << 20) + 1, (10 << 20) + 2], to: bucket, on: server)
        let start = ContinuousClock.now
        #expect(try await server.cliStatus(["fixity", "run", "--bucket", bucket, "--max-rate", "5"]).status == 0)
        #expect(ContinuousClock.now - start >= .seconds(5))
    }

    /// A run killed half-way resumes without verifying again what it recorded.
    @Test func anInterruptedRunResumes() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let sizes = (0..<40).map { (1 << 20) + $0 }  // more than are verified at once (16)
        try await upload(sizes, to: bucket, on: server)
        let slow = try server.startCLI(["fixity", "run", "--max-rate", "6"])
        var recorded = 0
        for _ in 0..<200 {
            recorded = try await server.cli(["fixity", "history", "--since", "1h"]).split(separator: "\n").count
            if recorded >= 3 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(slow.processIdentifier, SIGKILL)
        slow.waitUntilExit()
        #expect(recorded >= 3 && recorded < 40)
        #expect(try await server.cliStatus(["fixity", "run"]).status == 0)
        let files = try await server.cli(["fixity", "history", "--since", "1h"]).split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["file_id"] as? String
        }
        #expect(files.count == 40)
        #expect(Set(files).count == 40)
    }
}

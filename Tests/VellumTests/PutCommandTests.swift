import Foundation
import Testing

@Suite struct PutCommandTests {
    func put(_ server: TestServer, _ file: String, _ target: String, _ extra: [String] = []) async throws -> String {
        try await TestServer.run(
            ["put", file, target, "--url", server.baseURL] + extra,
            environment: ["VELLUM_TOKEN": TestServer.adminToken], directory: server.dataDir)
    }

    @Test func uploadsSmallFilesInOnePutAndLargeOnesInParallelParts() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let small = server.dataDir + "/small.txt"
        let large = server.dataDir + "/large.bin"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: small))
        let data = Fixtures.bytes(12 * mib + 3, seed: 11)
        try Data(data).write(to: URL(fileURLWithPath: large))
        #expect(try await put(server, small, "\(bucket)/docs/small.txt").contains("uploaded docs/small.txt"))
        #expect(try await server.request(.GET, "/files/\(bucket)/docs/small.txt").text == "hello")
        let output = try await put(server, large, "\(bucket)/large.bin", ["--part-size", "5", "--multipart-threshold", "5"])
        #expect(output.contains("in 3 parts"))
        #expect(try await server.request(.GET, "/files/\(bucket)/large.bin").bytes == data)
    }

    @Test func resumesAnInterruptedUpload() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let data = Fixtures.bytes(16 * mib, seed: 12)
        let file = server.dataDir + "/big.bin"
        try Data(data).write(to: URL(fileURLWithPath: file))
        // An earlier run got part 0 through, part 1 through with damaged bytes, and died.
        let upload = try await server.startUpload(bucket, "big.bin", size: data.count)
        let id = try #require(upload["id"] as? String)
        let chunks = parts(data, 5 * mib)
        #expect(try await server.putPart(bucket, "big.bin", id, 0, chunks[0]).status == 200)
        #expect(try await server.putPart(bucket, "big.bin", id, 1, Fixtures.bytes(5 * mib, seed: 1)).status == 200)
        _ = try await put(server, file, "\(bucket)/big.bin", ["--part-size", "5", "--multipart-threshold", "5", "--parallel", "2"])
        #expect(try await server.request(.GET, "/files/\(bucket)/big.bin").bytes == data)
        let uploads =
            try JSONSerialization.jsonObject(
                with: Data(try await server.request(.GET, "/files/\(bucket)?uploads").bytes)) as? [[String: Any]]
        #expect(uploads?.count == 1)
        #expect(uploads?.first?["id"] as? String == id)
        #expect(uploads?.first?["completed"] as? Bool == true)
    }

    @Test func failsClearlyWithoutAToken() async throws {
        let server = try await TestServer()
        let bucket = try await server.createBucket()
        let file = server.dataDir + "/f"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        await #expect(throws: TestError.self) {
            _ = try await TestServer.run(
                ["put", file, "\(bucket)/f", "--url", server.baseURL], environment: ["VELLUM_TOKEN": "wrong"],
                directory: server.dataDir)
        }
    }
}

import ArgumentParser
import Foundation

/// `vellum put FILE BUCKET/KEY`: uploads a file to a running daemon. Large files go as a multipart upload with
/// parts in parallel; running the same command again after an interruption resumes it, re-sending only the parts
/// the server does not have (or has with other bytes).
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Upload a file to a bucket, resuming an interrupted multipart upload.")

    @Argument(help: "The file to upload.") var file: String
    @Argument(help: "Where to: BUCKET/KEY (the key may contain slashes).") var target: String
    @Option(help: "The daemon's URL (VELLUM_URL, default http://127.0.0.1:5000).") var url: String?
    @Option(help: "A bearer token (VELLUM_TOKEN).") var token: String?
    @Option(help: "Part size in MiB for multipart uploads (5 to 5120).") var partSize: Int = 64
    @Option(help: "Parts sent at once.") var parallel: Int = 4
    @Option(help: "Files from this many MiB up go as multipart uploads.") var multipartThreshold: Int = 64

    func validate() throws {
        guard (5...5120).contains(partSize) else { throw ValidationError("--part-size must be between 5 and 5120 MiB.") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1.") }
        guard target.split(separator: "/", maxSplits: 1).count == 2 else {
            throw ValidationError("The target must be BUCKET/KEY.")
        }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let parts = target.split(separator: "/", maxSplits: 1).map(String.init)
        let client = try UploadClient(
            baseURL: url ?? env["VELLUM_URL"] ?? "http://127.0.0.1:5000", token: token ?? env["VELLUM_TOKEN"],
            path: file, bucket: parts[0], key: parts[1])
        let result: String
        if client.size >= Int64(multipartThreshold) << 20 {
            result = try await client.multipart(partSize: Int64(partSize) << 20, parallel: parallel)
        } else {
            result = try await client.single()
        }
        print(result)
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore

@testable import S3Storage

#if canImport(Glibc)
    import Glibc
#endif

/// The bytes in a test server's location `default`, whether a local directory or an S3 bucket: what tests look
/// at and damage behind the daemon's back.
extension TestServer {
    static let environment = ProcessInfo.processInfo.environment
    /// The test S3 server (`scripts/moto.sh`), if any.
    static let s3Endpoint = environment["VELLUM_TEST_S3"].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether servers store their files on S3 (`VELLUM_TEST_STORAGE=s3`).
    static let onS3 = environment["VELLUM_TEST_STORAGE"] == "s3" && s3Endpoint != nil
    static let s3Credentials = S3Signer.Credentials(
        accessKeyID: environment["VELLUM_TEST_S3_ACCESS_KEY_ID"] ?? "",
        secretAccessKey: environment["VELLUM_TEST_S3_SECRET_ACCESS_KEY"] ?? "")
    static let s3HTTP = S3Client.makeHTTPClient()

    /// A new bucket on the test S3 server, as a location URI, when servers store their files there.
    static func newS3Location() async throws -> String? {
        guard onS3, let endpoint = s3Endpoint else { return nil }
        return try await newS3Bucket(endpoint: endpoint)
    }

    /// Creates a bucket on the test S3 server; answers its location URI.
    static func newS3Bucket(endpoint: String) async throws -> String {
        let uri = "s3://vt-\(UUID().uuidString.lowercased())?endpoint=\(endpoint)&region=us-east-1"
        let created = try await s3Client(uri).send(.PUT, key: "")
        guard created.status == 200 else { throw TestError("cannot create S3 bucket: \(created.status)") }
        return uri
    }

    /// A moto server of the test's own, without authentication (it then serves presigned URLs, which the shared
    /// server, checking every request's `Authorization` header, cannot): its endpoint and process.
    /// With `log`, its request log goes there.
    static func privateMoto(log: String? = nil) async throws -> (endpoint: String, process: Process) {
        let program = environment["VELLUM_TEST_MOTO"] ?? "/tmp/vellum-moto/bin/moto_server"
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        if let log, FileManager.default.createFile(atPath: log, contents: nil) {
            process.standardError = FileHandle(forWritingAtPath: log)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try spawn(process)
        let endpoint = "http://127.0.0.1:\(port)"
        for _ in 0..<200 {
            if (try? await s3Client("s3://probe?endpoint=\(endpoint)").send(.GET, key: "")) != nil { return (endpoint, process) }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(process.processIdentifier, SIGKILL)
        throw TestError("moto did not start")
    }

    static func s3Client(_ uri: String) throws -> S3Client {
        S3Client(location: try S3Location(uri: uri), credentials: s3Credentials, http: s3HTTP)
    }

    /// Bytes of every blob of the location `default`, pending ones included.
    func storedBytes() async throws -> Int {
        guard let s3 else {
            let root = URL(fileURLWithPath: dataDir + "/default")
            let keys: Set<URLResourceKey> = [.fileSizeKey, .isRegularFileKey]
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: Array(keys))?.allObjects as? [URL]
            return try (files ?? []).reduce(0) { total, file in
                let values = try file.resourceValues(forKeys: keys)
                return total + (values.isRegularFile == true ? values.fileSize ?? 0 : 0)
            }
        }
        return try await list(s3, "blobs/").reduce(0) { $0 + $1.size }
    }

    /// Every stored blob of the location `default` (pending ones excluded), by name.
    func storedBlobs() async throws -> [String] {
        guard let s3 else {
            let root = dataDir + "/default"
            let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
            return all.filter { path in
                var isDir: ObjCBool = false
                FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir)
                return !isDir.boolValue && !path.hasPrefix(".tmp")
            }
        }
        return try await list(s3, "blobs/").map(\.key)
    }

    /// Pending (uncommitted) blobs, by name.
    func pendingBlobs() async throws -> [String] {
        guard let s3 else { return (try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/default/.tmp")) ?? [] }
        return try await list(s3, "pending/").map(\.key)
    }

    /// The stored blob that holds exactly `size` bytes (tests give each file its own size).
    func blob(size: Int) async throws -> StoredBlob {
        if let s3 {
            guard let key = try await list(s3, "blobs/").first(where: { $0.size == size })?.key else {
                throw TestError("no blob of \(size) bytes")
            }
            return StoredBlob(server: self, name: key)
        }
        for name in try await storedBlobs() {
            let attributes = try? FileManager.default.attributesOfItem(atPath: dataDir + "/default/" + name)
            if attributes?[.size] as? Int == size { return StoredBlob(server: self, name: name) }
        }
        throw TestError("no blob of \(size) bytes")
    }

    /// Stores bytes as blob `id` behind the daemon's back, as pending (an upload in flight) or not.
    func storeBlob(_ id: UUID, _ bytes: [UInt8], pending: Bool = false) async throws {
        let name = id.uuidString.lowercased()
        if let s3 {
            if pending { _ = try await s3.send(.PUT, key: "pending/\(name)", body: ByteBuffer(string: "run=gone\n")) }
            _ = try await s3.send(.PUT, key: "blobs/\(name)", body: ByteBuffer(bytes: bytes))
            return
        }
        let root = dataDir + "/default"
        try FileManager.default.createDirectory(atPath: "\(root)/\(name.prefix(2))", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(name.prefix(2))/\(name)"))
        if pending { try FileManager.default.linkItem(atPath: "\(root)/\(name.prefix(2))/\(name)", toPath: "\(root)/.tmp/\(name)") }
    }

    private func list(_ s3: S3Client, _ prefix: String) async throws -> [(key: String, size: Int)] {
        let reply = try await s3.send(.GET, key: "", query: [("list-type", "2"), ("prefix", String(prefix.dropLast()))])
        guard reply.status == 200 else { throw TestError("S3 listing failed: \(reply.status)") }
        return try S3XML(reply.body, record: "Contents").records.compactMap { item in
            guard let key = item["Key"], key.hasPrefix(prefix) else { return nil }
            return (String(key.dropFirst(prefix.count)), Int(item["Size"] ?? "") ?? 0)
        }
    }
}

/// One stored blob of a test server's location `default`.
struct StoredBlob {
    let server: TestServer
    /// Its path under the location's directory, or its id on S3.
    let name: String

    func read() async throws -> [UInt8] {
        if let s3 = server.s3 { return Array(buffer: try await s3.send(.GET, key: "blobs/\(name)", limit: 1 << 30).body) }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(_ bytes: [UInt8]) async throws {
        if let s3 = server.s3 {
            _ = try await s3.send(.PUT, key: "blobs/\(name)", body: ByteBuffer(bytes: bytes))
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    func remove() async throws {
        if let s3 = server.s3 {
            _ = try await s3.send(.DELETE, key: "blobs/\(name)")
        } else {
            try FileManager.default.removeItem(atPath: path)
        }
    }

    private var path: String { server.dataDir + "/default/" + name }
}

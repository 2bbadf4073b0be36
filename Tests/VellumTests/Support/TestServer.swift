import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

@testable import S3Storage

#if canImport(Glibc)
    import Glibc
#endif

/// A real `vellum serve` process on 127.0.0.1 with its own data directory, and an HTTP client for it.
final class TestServer: @unchecked Sendable {
    static let adminToken = "test-admin-secret"

    let dataDir: String
    private(set) var port: Int
    private var process: Process?
    /// What every `vellum` run for this server gets: its data directory, its database when that is not SQLite's
    /// default, and `environment`.
    let vellumEnvironment: [String: String]
    /// With `VELLUM_TEST_POSTGRES` set (a PostgreSQL superuser URL, see `scripts/postgres.sh`), each server gets a
    /// database of its own there; this is its name.
    private let database: String?
    /// With `VELLUM_TEST_STORAGE=s3` (and a test S3 server, `VELLUM_TEST_S3`), the location `default` is a new
    /// bucket there; this is a client for it.
    let s3: S3Client?

    /// A program and its arguments that run the daemon (`prlimit ...`), if any.
    let launcher: [String]

    /// Starts a daemon; `environment` adds or overrides `VELLUM_*` variables; `launcher` runs it.
    init(environment: [String: String] = [:], launcher: [String] = []) async throws {
        self.launcher = launcher
        dataDir = try Self.makeTempDir()
        port = try Self.freePort()
        var vellum = ["VELLUM_DATA_DIR": dataDir]
        if Self.postgres != nil, environment["VELLUM_DATABASE_URL"] == nil {
            let (name, url) = try await Self.newPostgresDatabase()
            vellum["VELLUM_DATABASE_URL"] = url
            database = name
        } else {
            database = nil
        }
        if let search = Self.openSearch {
            // An index of its own on the test OpenSearch (or its stand-in).
            vellum["VELLUM_SEARCH_URL"] = search + "/t" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        }
        var uri = environment["VELLUM_DEFAULT_LOCATION"]
        if uri == nil { uri = try await Self.newS3Location() }
        if let uri, uri.hasPrefix("s3://") {
            let s3 = try Self.s3Client(uri)
            vellum["VELLUM_DEFAULT_LOCATION"] = uri
            vellum["VELLUM_S3_ACCESS_KEY_ID"] = s3.signer.credentials.accessKeyID
            vellum["VELLUM_S3_SECRET_ACCESS_KEY"] = s3.signer.credentials.secretAccessKey
            self.s3 = s3
        } else {
            s3 = nil
        }
        vellumEnvironment = vellum.merging(environment) { $1 }
        try await start()
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dataDir)
        if let database, let postgres = Self.postgres {
            // dropped in the background; the cluster goes at the end of the run anyway
            let drop = Process()
            drop.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            drop.arguments = [postgres, "-q", "-c", "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"]
            drop.standardOutput = FileHandle.nullDevice
            drop.standardError = FileHandle.nullDevice
            try? Self.spawn(drop)
        }
    }

    /// The OpenSearch (or osmem-server) daemons search in, if any (`VELLUM_TEST_OPENSEARCH_URL`, `http://host:port`).
    static let openSearch = ProcessInfo.processInfo.environment["VELLUM_TEST_OPENSEARCH_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The PostgreSQL server tests run against, if any (`VELLUM_TEST_POSTGRES`).
    static let postgres = ProcessInfo.processInfo.environment["VELLUM_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// A new database on the test PostgreSQL server: its name and URL.
    static func newPostgresDatabase() async throws -> (name: String, url: String) {
        guard let postgres, var parts = URLComponents(string: postgres) else { throw TestError("no test PostgreSQL") }
        let name = "vt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try await runTool("/usr/bin/psql", [postgres, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        parts.path = "/" + name
        return (name, parts.string ?? "")
    }

    /// Everything the database holds, as stored: SQLite's file and its write-ahead log, or PostgreSQL's dump.
    func databaseBytes() async throws -> Data {
        if let url = vellumEnvironment["VELLUM_DATABASE_URL"], url.hasPrefix("postgres") {
            return Data(try await Self.runTool("/usr/bin/pg_dump", [url]).utf8)
        }
        let file = try Data(contentsOf: URL(fileURLWithPath: dataDir + "/vellum.sqlite"))
        return file + ((try? Data(contentsOf: URL(fileURLWithPath: dataDir + "/vellum.sqlite-wal"))) ?? Data())
    }

    /// Runs SQL on this server's database behind the daemon's back (Python's sqlite3, or psql); answers the rows,
    /// their columns separated by `|`.
    @discardableResult
    func sql(_ statement: String) async throws -> [String] {
        let output: String
        if let url = vellumEnvironment["VELLUM_DATABASE_URL"], url.hasPrefix("postgres") {
            output = try await Self.runTool("/usr/bin/psql", [url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement])
        } else {
            output = try await Self.runTool(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA busy_timeout=10000');"
                        + " rows=c.execute(sys.argv[2]).fetchall(); c.commit()"
                        + "\nfor r in rows: print('|'.join('' if v is None else str(v) for v in r))",
                    dataDir + "/vellum.sqlite", statement,
                ])
        }
        return output.split(separator: "\n").map(String.init)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts (or restarts) the daemon on the same data directory and waits until `/health` answers 200.
    func start() async throws {
        let process = Process()
        let command = launcher + [try Self.binary(), "serve"]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["VELLUM_PORT"] = String(port)
        env["VELLUM_HOST"] = "127.0.0.1"
        env["VELLUM_BOOTSTRAP_TOKEN"] = Self.adminToken
        env["VELLUM_LOG_LEVEL"] = "warning"
        for (key, value) in vellumEnvironment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: dataDir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/stderr")
        try Self.spawn(process)
        self.process = process
        for _ in 0..<1200 {  // a minute: start-up recovery may wait for a busy test S3 server
            if let response = try? await request(.GET, "/health"), response.status == 200 { return }
            guard process.isRunning else { throw TestError("vellum exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestError("vellum did not become healthy")
    }

    /// Sends a signal and waits for the process to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        guard let process else { return 0 }
        kill(process.processIdentifier, signal)
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        guard !process.isRunning else { throw TestError("vellum did not exit after signal \(signal)") }
        self.process = nil
        return process.terminationStatus
    }

    var pid: Int32? { process?.processIdentifier }

    /// A figure of `/proc/PID/status` (`VmHWM:`, `RssAnon:`), in KiB; nil when unreadable.
    static func procStatus(_ pid: Int32, _ field: String) -> Int? {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field) }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }

    // MARK: HTTP

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: ByteBuffer

        var text: String { String(buffer: body) }
        var bytes: [UInt8] { Array(buffer: body) }
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw TestError("not a JSON object: \(text)")
            }
            return object
        }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// `/health`'s status, asked again while it is 503, for up to a minute: in the S3 pass the suite's one test S3
    /// server can stall for tens of seconds under the load of every test at once, and the health check (rightly)
    /// says so. For tests that check the daemon still serves after something; a daemon that never recovers fails.
    func health() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let status = try await request(.GET, "/health", token: nil).status
            if status != 503 || ContinuousClock.now > deadline { return status }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// One request; `token` nil means anonymous, the default is the admin token.
    func request(
        _ method: HTTPMethod, _ path: String, token: String? = TestServer.adminToken, headers: [(String, String)] = [],
        body: [UInt8]? = nil, followRedirects: Bool = true
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await send(request, client: followRedirects ? .shared : Self.noRedirects)
    }

    /// A client that returns redirects instead of following them.
    static let noRedirects = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    /// A chunked upload (no Content-Length) of `chunks`.
    func putChunked(_ path: String, chunks: [[UInt8]], token: String? = TestServer.adminToken) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .PUT
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let buffers = chunks.map { ByteBuffer(bytes: $0) }
        let stream = AsyncStream<ByteBuffer> { continuation in
            for buffer in buffers { continuation.yield(buffer) }
            continuation.finish()
        }
        request.body = .stream(stream, length: .unknown)
        return try await send(request)
    }

    func send(_ request: HTTPClientRequest, client: HTTPClient = .shared) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 30)
        return Reply(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// Creates a bucket and returns its id.
    func createBucket(token: String? = TestServer.adminToken, _ options: [String: Any] = [:]) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: options)
        let reply = try await request(.POST, "/files", token: token, body: Array(body))
        guard reply.status == 200, let id = try reply.json()["id"] as? String else {
            throw TestError("bucket creation failed: \(reply.status) \(reply.text)")
        }
        return id
    }

    /// Runs `vellum ARGS` against this server's data directory and returns its standard output.
    func cli(_ arguments: [String]) async throws -> String {
        try await Self.run(arguments, environment: vellumEnvironment, directory: dataDir)
    }

    /// Runs `vellum ARGS` against this server's data directory; returns its exit status and standard output.
    func cliStatus(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let result = try await Self.execute(
            try Self.binary(), arguments, environment: vellumEnvironment, directory: dataDir)
        return (result.status, result.output)
    }

    /// Starts `vellum ARGS` against this server's data directory without waiting for it.
    func startCLI(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(vellumEnvironment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: dataDir)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Self.spawn(process)
        return process
    }
}

extension TestServer {
    static func binary() throws -> String {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["VELLUM_BINARY"] { candidates.append(explicit) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vellum").path)
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/vellum")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestError("vellum binary not found (build it first): \(candidates)")
        }
        return found
    }

    /// Runs `vellum ARGS` with extra environment in `directory`; returns its standard output.
    static func run(_ arguments: [String], environment: [String: String], directory: String) async throws -> String {
        try await runTool(try binary(), arguments, environment: environment, directory: directory)
    }

    /// Runs a program and returns its standard output; throws with its standard error when it fails.
    static func runTool(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
    ) async throws -> String {
        let result = try await execute(path, arguments, environment: environment, directory: directory)
        guard result.status == 0 else { throw TestError("\(path) \(arguments) failed: \(result.errors)") }
        return result.output
    }

    /// Runs a program to its end; returns its exit status, standard output and standard error.
    /// Runs a program to its end on a thread of its own (waiting for it on the cooperative pool would starve the
    /// other tests' tasks) and returns its exit status, standard output and standard error.
    static func execute(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, input: String? = nil
    ) async throws -> (status: Int32, output: String, errors: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try executeBlocking(path, arguments, environment: environment, directory: directory, input: input) })
            }
        }
    }

    private static func executeBlocking(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String?, input: String?
    ) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory.map { URL(fileURLWithPath: $0) }
        let out = Pipe()
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID())")
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: err) }
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: err)
        if let input {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("stdin-\(UUID())")
            try input.write(to: file, atomically: false, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            process.standardInput = try FileHandle(forReadingFrom: file)
        }
        try Self.spawn(process)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), errors)
    }

    /// Starts `process`, one at a time: Foundation's `Process.run` crashed (a bad pointer in its memcpy) when
    /// several test threads started programs at once.
    static func spawn(_ process: Process) throws {
        try spawning.withLock { _ in try process.run() }
    }

    private static let spawning = Mutex(())

    static func makeTempDir() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vellum-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Ports handed out by this test process, below the kernel's ephemeral range (32768 and up): a port obtained
    /// by binding port 0 is an ephemeral one that a client connection, or another daemon started in parallel, may
    /// take before the daemon binds it; then the test talks to someone else's daemon.
    private static let nextPort = Mutex(20_000 + Int(getpid() % 100) * 100)

    /// A port nobody in this process was given, and that nothing listens on now.
    static func freePort() throws -> Int {
        for _ in 0..<1000 {
            let port = nextPort.withLock { next -> Int in
                next = next >= 32_000 ? 20_000 : next + 1
                return next
            }
            if canBind(port) { return port }
        }
        throw TestError("no free port")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

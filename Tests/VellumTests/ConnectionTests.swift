import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Connection time limits, the drain deadline and `Connection: close`, with raw sockets.
@Suite struct ConnectionTests {
    /// Short limits, so that tests see them act.
    static let quick = ["VELLUM_HEADER_TIMEOUT": "2s", "VELLUM_IDLE_TIMEOUT": "2s", "VELLUM_BODY_TIMEOUT": "2s"]

    /// Opens `count` connections at once (without waiting for each to be accepted); returns their descriptors.
    static func connect(_ count: Int, port: Int) throws -> [Int32] {
        try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestError("socket: \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else { throw TestError("connect: \(errno)") }
            return fd
        }
    }

    /// Waits (on a thread of its own) until the peer has closed each of `fds` or `seconds` pass; returns what each
    /// received, and nil for those still open.
    static func untilClosed(_ fds: [Int32], seconds: Double) async -> [Int32: [UInt8]?] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var received = [Int32: [UInt8]](), open = Set(fds)
                let deadline = Date(timeIntervalSinceNow: seconds)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !open.isEmpty, Date() < deadline {
                    var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                    guard poll(&polled, nfds_t(polled.count), 200) > 0 else { continue }
                    for entry in polled where entry.revents != 0 {
                        let n = buffer.withUnsafeMutableBytes { recv(entry.fd, $0.baseAddress, $0.count, 0) }
                        if n > 0 { received[entry.fd, default: []] += buffer[0..<n] } else { open.remove(entry.fd) }
                    }
                }
                continuation.resume(returning: Dictionary(uniqueKeysWithValues: fds.map { ($0, open.contains($0) ? nil : received[$0] ?? []) }))
            }
        }
    }

    @Test func idleAndHalfSentConnectionsAreClosedAtTheOpenFileLimit() async throws {
        // The daemon cannot raise its limit above 1,024 open files: it serves 512 connections at once, and the
        // rest wait in the backlog until the time limits free places.
        let server = try await TestServer(environment: Self.quick, launcher: ["/usr/bin/prlimit", "--nofile=1024:1024", "--"])
        let idle = try Self.connect(550, port: server.port)
        let halfSent = try Self.connect(550, port: server.port)
        for fd in halfSent {
            let head = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
            #expect(send(fd, head, head.count, Int32(MSG_NOSIGNAL)) == head.count)
        }
        let outcome = await Self.untilClosed(idle + halfSent, seconds: 60)
        for fd in idle + halfSent { close(fd) }
        #expect(outcome.values.allSatisfy { $0 != nil }, "\(outcome.values.filter { $0 == nil }.count) still open")
        let answered = (idle + halfSent).compactMap { outcome[$0] ?? nil }.map { String(decoding: $0, as: UTF8.self) }
        #expect(answered.count == 1100)
        #expect(answered.allSatisfy { $0.hasPrefix("HTTP/1.1 408 ") && $0.contains(#""status":408"#) })
        #expect(try await server.request(.GET, "/health").status == 200)
        let metrics = try await server.request(.GET, "/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix(#"vellum_connections_timed_out_total{limit="header"}"#) }
        #expect(line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 1100, "\(line ?? "no metric")")
    }

    @Test func aStalledBodyFailsAsTruncatedAndLeavesNothing() async throws {
        // 5 s: a test process starved of CPU by the rest of the suite must not look stalled itself.
        let server = try await TestServer(environment: ["VELLUM_BODY_TIMEOUT": "5s"])
        let bucket = try await server.createBucket()
        let connection = try RawConnection(port: server.port)
        try connection.sendPut("/files/\(bucket)/stalled", length: 3_000_000)
        try connection.send(Fixtures.bytes(1_500_000))
        let started = Date()
        _ = await connection.receiveAll()
        #expect(Date().timeIntervalSince(started) < 15)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await server.request(.GET, "/files/\(bucket)/stalled").status == 404)
        #expect(try await server.storedBytes() == 0)
        // An upload that is slow but never silent for that long is not cut off.
        let slow = try RawConnection(port: server.port)
        try slow.sendPut("/files/\(bucket)/slow", length: 6)
        for byte in Array("abcdef".utf8) {
            try await Task.sleep(for: .seconds(1))
            try slow.send([byte])
        }
        #expect(await slow.receive(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
    }

    @Test func sigtermWithAStalledUploadExitsWithinTheDrainDeadline() async throws {
        let server = try await TestServer(environment: ["VELLUM_DRAIN_TIMEOUT": "2s", "VELLUM_BODY_TIMEOUT": "600s"])
        let bucket = try await server.createBucket()
        let connection = try RawConnection(port: server.port)
        try connection.sendPut("/files/\(bucket)/stalled", length: 3_000_000)
        try connection.send(Fixtures.bytes(100_000))
        try await Task.sleep(for: .milliseconds(500))
        let started = Date()
        #expect(try await server.stop(signal: SIGTERM) == 0)
        let took = Date().timeIntervalSince(started)
        #expect(took >= 1.5 && took < 6, "\(took) s")
        try await server.start()
        #expect(try await server.request(.GET, "/files/\(bucket)/stalled").status == 404)
        #expect(try await server.storedBytes() == 0)
    }

    @Test func connectionCloseIsDone() async throws {
        let server = try await TestServer()
        // Refused before its body was asked for: the client is told to close, and the daemon closes.
        let refused = try RawConnection(port: server.port)
        try refused.send(
            "PUT /files/\(UUID().uuidString.lowercased())/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                + "Expect: 100-continue\r\n\r\n")
        let started = Date()
        let answer = await refused.receiveAll()
        #expect(answer.hasPrefix("HTTP/1.1 401") || answer.hasPrefix("HTTP/1.1 404"), "\(answer)")
        #expect(answer.lowercased().contains("connection: close"))
        #expect(Date().timeIntervalSince(started) < 5)
        // The client asks to close.
        let asked = try RawConnection(port: server.port)
        try asked.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let closing = Date()
        #expect(await asked.receiveAll().hasPrefix("HTTP/1.1 200"))
        #expect(Date().timeIntervalSince(closing) < 5)
        // Pipelined: the second request asks to close; both are answered, then the connection closes.
        let pipelined = try RawConnection(port: server.port)
        try pipelined.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(await pipelined.receiveAll().components(separatedBy: "HTTP/1.1 200").count == 3)
    }

    @Test func malformedRequestsGetAJSONError() async throws {
        let server = try await TestServer()
        for request in [
            "GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 90_000))\r\n\r\n",
        ] {
            let connection = try RawConnection(port: server.port)
            try? connection.send(request)
            let answer = await connection.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.1 400 "), "\(answer)")
            #expect(answer.contains("Content-Type: application/json") && answer.contains("Server: vellum"))
            #expect(answer.hasSuffix(#"{"status":400,"message":"The request is not valid HTTP/1.1."}"#))
        }
        // A JSON body cut short is the client's fault too.
        let bucket = try await server.createBucket()
        for (method, path) in [("POST", "/files"), ("PATCH", "/files/\(bucket)"), ("POST", "/files/\(bucket)/k?uploads")] {
            let cut = try RawConnection(port: server.port)
            try cut.send(
                "\(method) \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.adminToken)\r\n"
                    + "Content-Length: 10\r\n\r\n{\"a")
            cut.finishSending()
            let answer = await cut.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.1 400 ") && answer.contains(#""status":400"#), "\(method) \(path): \(answer)")
        }
        let head = try RawConnection(port: server.port)
        try head.send("HEAD /files/x/a\rb HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = await head.receiveAll()
        #expect(answer.hasPrefix("HTTP/1.1 400 ") && answer.hasSuffix("\r\n\r\n"), "\(answer)")
        #expect(try await server.request(.GET, "/health").status == 200)
    }
}

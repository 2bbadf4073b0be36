import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Connection time limits, the drain deadline and `Connection: close`, with raw sockets.
@Suite struct ConnectionTests {
    /// Short limits, so that tests see them act.
    static let quick = ["VELLUM_HEADER_TIMEOUT": "2s", "VELLUM_IDLE_TIMEOUT": "2s", "VELLUM_BODY_TIMEOUT": "2s"]

    @Test func idleAndHalfSentConnectionsAreClosedAtTheOpenFileLimit() async throws {
        // The daemon cannot raise its limit above 1,024 open files: it serves 512 connections at once, and the
        // rest wait in the backlog until the time limits free places.
        let server = try await TestServer(environment: Self.quick, launcher: ["/usr/bin/prlimit", "--nofile=1024:1024", "--"])
        // The 1,100 connections are a child's: Foundation's `Process.run` crashed (in its walk of /proc/self/fd) when
        // another test started a program while this process held them.
        let client = try await TestServer.execute("/usr/bin/python3", ["-c", Self.manyConnections, "\(server.port)", "550", "60"])
        #expect(client.status == 0, "\(client.errors)")
        let outcome = (try JSONSerialization.jsonObject(with: Data(client.output.utf8)) as? [Any] ?? []).map { $0 as? String }
        #expect(outcome.count == 1100 && outcome.allSatisfy { $0 != nil }, "\(outcome.filter { $0 == nil }.count) still open")
        let answered = outcome.compactMap { $0 }
        #expect(answered.count == 1100)
        #expect(answered.allSatisfy { $0.hasPrefix("HTTP/1.1 408 ") && $0.contains(#""status":408"#) })
        #expect(try await server.health() == 200)
        let metrics = try await server.request(.GET, "/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix(#"vellum_connections_timed_out_total{limit="header"}"#) }
        #expect(line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 1100, "\(line ?? "no metric")")
    }

    /// Python, given a port, a count and a time limit: opens `count` idle connections and `count` that send half a
    /// request head, waits until the server has closed them all or the time is up, and prints what each received
    /// (a JSON list, null for those still open).
    static let manyConnections = #"""
        import json, selectors, socket, sys, time
        port, count, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(2 * count)]
        for s in socks[count:]:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        selector = selectors.DefaultSelector()
        for s in socks:
            selector.register(s, selectors.EVENT_READ)
        received, still_open = {s: b"" for s in socks}, set(socks)
        deadline = time.time() + limit
        while still_open and time.time() < deadline:
            for key, _ in selector.select(0.2):
                try:
                    data = key.fileobj.recv(4096)
                except ConnectionResetError:
                    data = b""
                if data:
                    received[key.fileobj] += data
                else:
                    still_open.discard(key.fileobj)
                    selector.unregister(key.fileobj)
        print(json.dumps([None if s in still_open else received[s].decode("latin-1") for s in socks]))
        """#

    @Test func aStalledBodyFailsAsTruncatedAndLeavesNothing() async throws {
        // 8 s: a test process starved of CPU by the rest of the suite must not look stalled itself.
        let server = try await TestServer(environment: ["VELLUM_BODY_TIMEOUT": "8s"])
        let bucket = try await server.createBucket()
        let connection = try RawConnection(port: server.port)
        try connection.sendPut("/files/\(bucket)/stalled", length: 3_000_000)
        try connection.send(Fixtures.bytes(1_500_000))
        let started = Date()
        _ = await connection.receiveAll()
        #expect(Date().timeIntervalSince(started) < 20)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await server.request(.GET, "/files/\(bucket)/stalled").status == 404)
        #expect(try await server.storedBytes() == 0)
        // An upload that is slow (10 s) but never silent for long (0.5 s) is not cut off.
        let slow = try RawConnection(port: server.port)
        let text = Array("slow but steady, byte by byte".utf8.prefix(20))
        try slow.sendPut("/files/\(bucket)/slow", length: text.count)
        for byte in text {
            try await Task.sleep(for: .milliseconds(500))
            try slow.send([byte])
        }
        #expect(await slow.receive(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
        #expect(try await server.request(.GET, "/files/\(bucket)/slow").bytes == text)
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
        // Not before the 2 s deadline, and far from the 600 s the stalled body would hold it without one (a loaded
        // CI machine took over 6 s to exit).
        let took = Date().timeIntervalSince(started)
        #expect(took >= 1.5 && took < 30, "\(took) s")
        try await server.start()
        #expect(try await server.request(.GET, "/files/\(bucket)/stalled").status == 404)
        #expect(try await server.storedBytes() == 0)
    }

    /// The connection closes after the answer, not when the idle time limit (60 s here) ends it: "well before 60 s"
    /// is 30 s, as a loaded CI machine answered a `/health` in over 5 s.
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
        #expect(Date().timeIntervalSince(started) < 30)
        // The client asks to close.
        let asked = try RawConnection(port: server.port)
        try asked.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let closing = Date()
        #expect(await asked.receiveAll().hasPrefix("HTTP/1.1 200"))
        #expect(Date().timeIntervalSince(closing) < 30)
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
        #expect(try await server.health() == 200)
    }
}

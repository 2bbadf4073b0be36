import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection, for what an HTTP client library will not do: send a body shorter than its
/// `Content-Length` and hang up, or stall half-way through.
final class RawConnection: @unchecked Sendable {  // used by one test at a time
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw TestError("connect failed") }
        // Long enough for the slowest answer of a loaded S3 pass (the quota test's uploads took over 30 s there once).
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestError("send failed after \(sent) of \(bytes.count) bytes: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends nothing more (a half-close): the server sees the end of the request stream.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Sends the head of an admin's `PUT` of a body of `length` bytes (then send the body, or part of it).
    func sendPut(_ path: String, length: Int, extraHeaders: String = "") throws {
        try send(
            "PUT \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestServer.adminToken)\r\n"
                + "Content-Length: \(length)\r\n\(extraHeaders)\r\n")
    }

    /// Runs a blocking read on a thread of its own: blocked on the cooperative pool, it would starve other tests.
    private func offPool(_ read: @escaping @Sendable () -> String) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: read()) }
        }
    }

    /// Reads until the peer closes or `limit` bytes arrived.
    func receiveAll(limit: Int = 1 << 20) async -> String {
        await offPool { self.receiveAllBlocking(limit: limit) }
    }

    /// Reads one byte at a time until the text received ends with `terminator` (or the peer closes or times out).
    func receive(until terminator: String) async -> String {
        await offPool { self.receiveBlocking(until: terminator) }
    }

    private func receiveAllBlocking(limit: Int) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func receiveBlocking(until terminator: String) -> String {
        var data = [UInt8]()
        var byte: UInt8 = 0
        while true {
            guard recv(fd, &byte, 1, 0) == 1 else { break }
            data.append(byte)
            if data.count >= terminator.utf8.count, data.suffix(terminator.utf8.count).elementsEqual(terminator.utf8) {
                break
            }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends the head of a PUT that promises `length` bytes.
    func startUpload(path: String, length: Int, token: String = TestServer.adminToken) throws {
        try send(
            "PUT \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Length: \(length)\r\n\r\n")
    }
}

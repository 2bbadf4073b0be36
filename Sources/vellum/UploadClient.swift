import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The client side of `vellum put`: one streaming PUT, or a resumable multipart upload with parts in parallel.
/// Every part and the whole file are checked against the MD5 the server reports.
struct UploadClient {
    let baseURL: String
    let token: String?
    let path: String
    let bucket: String
    let key: String
    let size: Int64

    init(baseURL: String, token: String?, path: String, bucket: String, key: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Failure("Cannot read the file \(path).")
        }
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.path = path
        self.bucket = bucket
        self.key = key
        self.size = Int64(info.st_size)
    }

    var objectURL: String {
        let encoded = key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["?", "#", "%"])) ?? key
        return "\(baseURL)/files/\(bucket)/\(encoded)"
    }

    /// One PUT of the whole file.
    func single() async throws -> String {
        let progress = ProgressBar(total: size, label: key)
        let body = try FileBody(path: path, range: 0..<size, progress: progress)
        let json = try await send(.PUT, objectURL, body: body)
        progress.finish()
        guard json["checksum"] as? String == "md5:\(body.md5())" else {
            throw Failure("The server stored other bytes than were sent (MD5 mismatch); try again.")
        }
        return "uploaded \(key): \(size) bytes, \(json["checksum"] as? String ?? "?"), version \(json["version_id"] as? String ?? "?")"
    }

    /// A multipart upload: resumes an unfinished upload of this key and size if the server has one, sends the
    /// parts it lacks (or holds with other bytes) `parallel` at a time, then completes it.
    func multipart(partSize: Int64, parallel: Int) async throws -> String {
        var upload = try await resumable()
        var received: [Int: String] = [:]
        if let upload {
            let id = upload["id"] as? String ?? ""
            let status = try await send(.GET, "\(objectURL)?uploadId=\(id)")
            for part in status["parts"] as? [[String: Any]] ?? [] {
                if let number = part["part_number"] as? Int, let checksum = part["checksum"] as? String {
                    received[number] = checksum
                }
            }
            FileHandle.standardError.write(Data("resuming upload \(id): \(received.count) parts already there\n".utf8))
        } else {
            upload = try await send(.POST, "\(objectURL)?uploads&size=\(size)&partSize=\(partSize)")
        }
        guard let upload, let id = upload["id"] as? String, let size = upload["part_size"] as? Int,
            let last = upload["last_part_number"] as? Int
        else { throw Failure("The server answered an unexpected multipart upload.") }
        let partSize = Int64(size)
        let progress = ProgressBar(total: self.size, label: key)
        // Parts the server holds count only if their bytes are the file's (checked by MD5, reading them locally).
        var todo: [Int] = []
        for number in 0...last {
            let range = Int64(number) * partSize..<min(Int64(number + 1) * partSize, self.size)
            if let checksum = received[number], checksum == "md5:\(try await FileBody.md5(path: path, range: range))" {
                progress.add(range.count)
            } else {
                todo.append(number)
            }
        }
        let queue = PartQueue(todo)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(parallel, max(todo.count, 1)) {
                group.addTask {
                    while let number = queue.next() {
                        let range = Int64(number) * partSize..<min(Int64(number + 1) * partSize, self.size)
                        try await sendPart(id, number, range, progress)
                    }
                }
            }
            try await group.waitForAll()
        }
        let done = try await send(.POST, "\(objectURL)?uploadId=\(id)")
        progress.finish()
        guard done["completed"] as? Bool == true else { throw Failure("The upload did not complete.") }
        let version = (done["links"] as? [String: String])?["object_version"] ?? "?"
        return "uploaded \(key): \(self.size) bytes in \(last + 1) parts, \(version)"
    }

    /// The newest unfinished upload of this key with this file's size.
    private func resumable() async throws -> [String: Any]? {
        let uploads = try await sendForArray("\(baseURL)/files/\(bucket)?uploads")
        return uploads.last { $0["key"] as? String == key && $0["completed"] as? Bool == false && ($0["size"] as? Int).map(Int64.init) == size }
    }

    /// Sends one part, up to three times when the connection fails, the server errs or the MD5 disagrees.
    private func sendPart(_ id: String, _ number: Int, _ range: Range<Int64>, _ progress: ProgressBar) async throws {
        var attempt = 0
        while true {
            attempt += 1
            let body = try FileBody(path: path, range: range, progress: progress)
            do {
                let json = try await send(.PUT, "\(objectURL)?uploadId=\(id)&partNumber=\(number)", body: body)
                if json["checksum"] as? String == "md5:\(body.md5())" { return }
                if attempt >= 3 { throw Failure("Part \(number) kept arriving corrupted (MD5 mismatch).") }
            } catch let error as ServerError where error.status < 500 {
                throw error
            } catch {
                if attempt >= 3 { throw error }
            }
            progress.add(-body.sent())
            try await Task.sleep(for: .milliseconds(500 * attempt))
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    struct ServerError: Error, CustomStringConvertible {
        let status: Int
        let message: String
        var description: String { "server answered \(status): \(message)" }
    }

    private func request(_ method: HTTPMethod, _ url: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }

    private func send(_ method: HTTPMethod, _ url: String, body: FileBody? = nil) async throws -> [String: Any] {
        var request = request(method, url)
        if let body { request.body = .stream(body, length: .known(body.length)) }
        let data = try await execute(request)
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure("The server answered something other than a JSON object.")
        }
        return json
    }

    private func sendForArray(_ url: String) async throws -> [[String: Any]] {
        let data = try await execute(request(.GET, url))
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    private func execute(_ request: HTTPClientRequest) async throws -> Data {
        let response = try await HTTPClient.shared.execute(request, timeout: .hours(24))
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard response.status.code == 200 else {
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            throw ServerError(status: Int(response.status.code), message: json?["message"] as? String ?? "\(response.status)")
        }
        return data
    }
}

/// The part numbers still to send, shared by the senders.
final class PartQueue: Sendable {
    private let numbers: Mutex<ArraySlice<Int>>
    init(_ numbers: [Int]) { self.numbers = Mutex(numbers[...]) }
    func next() -> Int? { numbers.withLock { $0.popFirst() } }
}

/// A byte range of a file as a request body, read 1 MiB at a time and hashed on the way.
struct FileBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    private final class State: Sendable {
        let fd: Int32
        let hash = Mutex(Insecure.MD5())
        let sent = Mutex(0)
        init(fd: Int32) { self.fd = fd }
        deinit { close(fd) }
    }

    let range: Range<Int64>
    let progress: ProgressBar?
    private let state: State

    init(path: String, range: Range<Int64>, progress: ProgressBar?) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw UploadClient.Failure("Cannot open \(path).") }
        self.range = range
        self.progress = progress
        self.state = State(fd: fd)
    }

    var length: Int64 { Int64(range.count) }
    func md5() -> String { state.hash.withLock { $0.finalize() }.map { String(format: "%02x", $0) }.joined() }
    func sent() -> Int { state.sent.withLock { $0 } }

    static func md5(path: String, range: Range<Int64>) async throws -> String {
        let body = try FileBody(path: path, range: range, progress: nil)
        for try await _ in body {}
        return body.md5()
    }

    fileprivate func read(at offset: Int64) throws -> ByteBuffer {
        let length = Int(Swift.min(1 << 20, range.upperBound - offset))
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pread(state.fd, $0.baseAddress, length, off_t(offset)) }
        guard n > 0 else { throw UploadClient.Failure("The file changed while it was being uploaded.") }
        return buffer
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: FileBody
        var offset: Int64

        mutating func next() async throws -> ByteBuffer? {
            guard offset < body.range.upperBound else { return nil }
            let chunk = try body.read(at: offset)
            offset += Int64(chunk.readableBytes)
            body.state.hash.withLock { hash in chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) } }
            body.state.sent.withLock { $0 += chunk.readableBytes }
            body.progress?.add(chunk.readableBytes)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self, offset: range.lowerBound) }
}

import Foundation
import NIOCore
import NIOPosix
import VellumCore

#if canImport(Glibc)
import Glibc
#endif

/// Blobs as POSIX files under one root: `<root>/<id[0:2]>/<id>`, written through `<root>/.tmp/<id>`.
///
/// One level of 256 shard directories, made when the location is prepared: creating directories on the upload
/// path cost more than anything else for small files, and 256 directories keep ten million files at about 40,000
/// entries each, which ext4's hashed directories handle well.
///
/// A write goes to the temp file, is fsynced, hard-linked to its final path and the directory fsynced; the temp
/// link is the "pending" marker, removed by `settle` once the metadata committed.
public struct LocalStorage: StorageBackend {
    public let root: String
    let threadPool: NIOThreadPool

    /// Uses `threadPool` for every blocking call, so the cooperative pool never blocks on disk. The root must
    /// exist (see `prepare`): a location whose disk is not mounted must fail, not be silently recreated.
    public init(root: String, threadPool: NIOThreadPool) throws {
        self.root = root
        self.threadPool = threadPool
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VellumError.storage("location root \(root) does not exist")
        }
        if mkdir(root + "/.tmp", 0o750) != 0 && errno != EEXIST { try Self.fail("mkdir \(root)/.tmp") }
    }

    /// Creates the root of a new location (and its parents), its `.tmp` and its 256 shard directories.
    public static func prepare(root: String) throws {
        try makeDirectories(root + "/.tmp")
        for shard in 0..<256 {
            let hex = String(shard, radix: 16)
            let path = root + "/" + (hex.count == 1 ? "0" + hex : hex)
            if mkdir(path, 0o750) != 0 && errno != EEXIST { try fail("mkdir \(path)") }
        }
        try fsyncDirectory(root)
    }

    func finalPath(_ id: UUID) -> String {
        let name = id.uuidString.lowercased()
        return "\(root)/\(name.prefix(2))/\(name)"
    }

    func tempPath(_ id: UUID) -> String { "\(root)/.tmp/\(id.uuidString.lowercased())" }

    public func create(_ id: UUID) async throws -> any BlobWriter {
        LocalBlobWriter(storage: self, id: id)
    }

    public func open(_ id: UUID, range: Range<Int64>?) async throws -> any BlobReader {
        let path = finalPath(id), range = range ?? 0..<Int64.max
        let (fd, first) = try await threadPool.runIfActive { try LocalBlobReader.open(path, range: range) }
        return LocalBlobReader(fd: fd, range: range, first: first, threadPool: threadPool)
    }

    public func settle(_ id: UUID) async throws {
        let path = tempPath(id)
        try await threadPool.runIfActive {
            if unlink(path) != 0 && errno != ENOENT { try Self.fail("unlink \(path)") }
        }
    }

    public func delete(_ id: UUID) async throws {
        let paths = [finalPath(id), tempPath(id)]
        try await threadPool.runIfActive {
            for path in paths where unlink(path) != 0 && errno != ENOENT { try Self.fail("unlink \(path)") }
        }
    }

    public func pendingBlobs() async throws -> [UUID] {
        let dir = root + "/.tmp"
        return try await threadPool.runIfActive {
            try FileManager.default.contentsOfDirectory(atPath: dir).compactMap { UUID(uuidString: $0) }
        }
    }

    public func checkHealth() async throws {
        let dir = root + "/.tmp"
        try await threadPool.runIfActive {
            guard access(dir, W_OK) == 0 else { try Self.fail("access \(dir)") }
        }
    }
}

extension LocalStorage {
    static func pread(_ fd: Int32, offset: Int64, length: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        var total = 0
        while total < length {
            let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - total) { ptr in
                Glibc.pread(fd, ptr.baseAddress, length - total, off_t(offset) + off_t(total))
            }
            if n < 0 {
                if errno == EINTR { continue }
                try fail("pread")
            }
            if n == 0 { break }
            total += n
        }
        return buffer
    }

    @discardableResult
    static func check(_ result: Int32, _ what: String) throws -> Int32 {
        if result < 0 { try fail(what) }
        return result
    }

    static func fail(_ what: String) throws -> Never {
        let code = errno
        throw VellumError.storage("\(what): \(String(cString: strerror(code)))")
    }

    /// `mkdir -p`, fsyncing each parent whose entries changed so a new directory survives a crash.
    static func makeDirectories(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : current
            current += (current.isEmpty && !path.hasPrefix("/") ? "" : "/") + component
            if mkdir(current, 0o750) == 0 {
                try fsyncDirectory(parent)
            } else if errno != EEXIST {
                try fail("mkdir \(current)")
            }
        }
    }

    static func fsyncDirectory(_ path: String) throws {
        let fd = try check(Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open \(path)")
        defer { close(fd) }
        try check(fsync(fd), "fsync \(path)")
    }
}

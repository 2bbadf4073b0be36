import Foundation
import NIOCore
import NIOPosix
import Synchronization
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
            throw StorageError.failure("location root \(root) does not exist")
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

    public func localPath(_ id: UUID) -> String? { finalPath(id) }

    func tempPath(_ id: UUID) -> String { "\(root)/.tmp/\(id.uuidString.lowercased())" }

    public func create(_ id: UUID) async throws -> any BlobWriter {
        LocalBlobWriter(storage: self, id: id)
    }

    public func open(_ id: UUID, range: Range<Int64>?) async throws -> any BlobReader {
        try await read(finalPath(id), range: range ?? 0..<Int64.max)
    }

    public func createMultipart(_ id: UUID, size: Int64) async throws {
        let path = tempPath(id)
        let dir = root + "/.tmp"
        try await threadPool.runIfActive {
            let fd = try Self.check(Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640), "open \(path)")
            defer { close(fd) }
            try Self.check(ftruncate(fd, off_t(size)), "ftruncate \(path)")
            try Self.check(fsync(fd), "fsync \(path)")
            try Self.fsyncDirectory(dir)  // parts are fsynced one by one; the file itself must survive a crash
        }
    }

    public func partWriter(_ id: UUID, part number: Int, range: Range<Int64>) async throws -> any BlobWriter {
        LocalBlobWriter(storage: self, id: id, partOffset: range.lowerBound)
    }

    public func openPending(_ id: UUID, range: Range<Int64>) async throws -> any BlobReader {
        try await read(tempPath(id), range: range)
    }

    public func completeMultipart(_ id: UUID, parts: [UploadPart]) async throws {
        let path = tempPath(id)
        try await threadPool.runIfActive {
            if access(path, F_OK) != 0, access(self.finalPath(id), F_OK) == 0 { return }  // done before a crash
            let fd = try Self.check(Glibc.open(path, O_RDONLY | O_CLOEXEC), "open \(path)")
            defer { close(fd) }
            try self.publish(id, fd: fd)
        }
    }

    private func read(_ path: String, range: Range<Int64>) async throws -> any BlobReader {
        let (fd, first, direct, ended) = try await threadPool.runIfActive { try LocalBlobReader.open(path, range: range) }
        return LocalBlobReader(fd: fd, range: range, first: first, direct: direct, ended: ended, threadPool: threadPool)
    }

    /// Links a written temp file (open as `fd`) to its final path, then fsyncs the file and the final directory.
    /// Linking before the file's fsync lets a journaling file system commit the data, the inode and the new entry
    /// together; it is safe because nothing refers to the blob until its metadata commits,
    /// and until then the temp name marks it as pending (start-up recovery deletes both names). Called on the thread
    /// pool; a link already there (from an attempt cut short by a crash) is kept.
    func publish(_ id: UUID, fd: Int32) throws {
        let temp = tempPath(id)
        let final = finalPath(id)
        let dir = String(final[..<(final.lastIndex(of: "/") ?? final.endIndex)])
        if link(temp, final) != 0 && errno != EEXIST {
            // Shard directories are made by `prepare`; recreate one only if it went missing.
            guard errno == ENOENT else { try Self.fail("link \(final)") }
            try Self.makeDirectories(dir)
            try Self.check(link(temp, final), "link \(final)")
        }
        try Self.check(fsync(fd), "fsync \(temp)")
        try Self.fsyncDirectory(dir)
    }

    public func settle(_ id: UUID) async throws {
        let path = tempPath(id)
        try await threadPool.runIfActive {
            if unlink(path) != 0 && errno != ENOENT { try Self.fail("unlink \(path)") }
            PendingLocks.release(path)
        }
    }

    public func delete(_ id: UUID) async throws {
        let paths = [finalPath(id), tempPath(id)]
        try await threadPool.runIfActive {
            for path in paths where unlink(path) != 0 && errno != ENOENT { try Self.fail("unlink \(path)") }
            PendingLocks.release(paths[1])
        }
    }

    public func pendingBlobs() async throws -> [UUID] {
        let dir = root + "/.tmp"
        return try await threadPool.runIfActive {
            try FileManager.default.contentsOfDirectory(atPath: dir).compactMap { UUID(uuidString: $0) }
        }
    }

    public func abandonedBlobs() async throws -> [UUID] {
        let pending = try await pendingBlobs()
        return try await threadPool.runIfActive { pending.filter { !PendingLocks.isHeld(self.tempPath($0)) } }
    }

    /// One batch per shard directory, read on the thread pool.
    public func listBlobs() -> AsyncThrowingStream<[(id: UUID, size: Int64)], any Error> {
        let next = ShardCursor()
        return AsyncThrowingStream {
            let shard = next.value.add(1, ordering: .relaxed).oldValue
            guard shard < 256 else { return nil }
            let hex = String(shard, radix: 16)
            let dir = root + "/" + (hex.count == 1 ? "0" + hex : hex)
            return try await threadPool.runIfActive {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                return names.compactMap { name -> (id: UUID, size: Int64)? in
                    guard let id = UUID(uuidString: name) else { return nil }
                    var info = stat()
                    guard stat(dir + "/" + name, &info) == 0 else { return nil }
                    return (id, Int64(info.st_size))
                }
            }
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

    /// `pread` into an aligned buffer from an aligned offset, as `O_DIRECT` requires (it works without it too);
    /// the result is the asked-for slice. A file system that refuses direct reads gets the flag cleared.
    static func preadAligned(_ fd: Int32, offset: Int64, length: Int) throws -> ByteBuffer {
        let alignment = Int64(DirectFile.alignment)
        let start = offset / alignment * alignment
        let skip = Int(offset - start)
        let span = (skip + length + DirectFile.alignment - 1) / DirectFile.alignment * DirectFile.alignment
        var buffer = ByteBufferAllocator().buffer(capacity: span + DirectFile.alignment)
        var pad = 0
        var total = 0
        _ = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: span + DirectFile.alignment) { raw in
            let base = Int(bitPattern: raw.baseAddress)
            pad = (DirectFile.alignment - base % DirectFile.alignment) % DirectFile.alignment
            while total < span {
                let n = Glibc.pread(fd, raw.baseAddress! + pad + total, span - total, off_t(start) + off_t(total))
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EINVAL, DirectFile.setDirect(fd, false) { continue }
                    try fail("pread")
                }
                if n == 0 { break }
                total += n
                if n % DirectFile.alignment != 0 { break }  // end of file
            }
            return pad + total
        }
        return buffer.getSlice(at: pad + skip, length: max(0, min(total - skip, length))) ?? ByteBuffer()
    }

    @discardableResult
    static func check(_ result: Int32, _ what: String) throws -> Int32 {
        if result < 0 { try fail(what) }
        return result
    }

    /// The error for a failed system call, by its `errno`: a full disk is 507, a file too large for the file
    /// system 413, no file descriptor left 503; anything else a storage error.
    static func fail(_ what: String) throws -> Never {
        let code = errno
        let detail = "\(what): \(String(cString: strerror(code)))"
        switch code {
        case ENOSPC, EDQUOT: throw StorageError.insufficientStorage(detail)
        case EFBIG: throw StorageError(.tooLarge, "The file is larger than this storage location can hold.", detail: detail)
        case EMFILE, ENFILE: throw StorageError(.tooManyOpenFiles, "The server has too many files open; retry shortly.", detail: detail)
        default: throw StorageError.failure(detail)
        }
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

/// The next shard directory `listBlobs` reads.
private final class ShardCursor: Sendable {
    let value = Atomic<Int>(0)
}

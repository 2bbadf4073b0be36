import Synchronization
import VellumCore

#if canImport(Glibc)
    import Glibc
#endif

/// The `SpaceReserve` of a directory (the data directory, which holds the SQLite database): a file of `size` bytes,
/// allocated on disk (`posix_fallocate`), named `space-reserve`. Given up when a deletion finds the disk full; put
/// back once the disk has twice its size free.
public final class DiskReserve: SpaceReserve {
    public static let defaultSize: Int64 = 8 << 20
    let directory: String
    let size: Int64
    private let released = Mutex(true)

    public init(directory: String, size: Int64 = DiskReserve.defaultSize) {
        self.directory = directory
        self.size = size
        restore()
    }

    var path: String { directory + "/space-reserve" }

    public var isReleased: Bool { released.withLock { $0 } }

    public func release() -> Bool {
        released.withLock { released in
            guard !released, unlink(path) == 0 else { return false }
            released = true
            return true
        }
    }

    @discardableResult
    public func restore() -> Bool {
        released.withLock { released in
            guard released else { return true }
            var stats = statvfs()
            var file = stat()
            if stat(path, &file) == 0, Int64(file.st_blocks) * 512 >= size {
                released = false  // made by an earlier run
                return true
            }
            guard statvfs(directory, &stats) == 0, Int64(stats.f_bavail) * Int64(stats.f_frsize) >= 2 * size else {
                return false
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            guard posix_fallocate(fd, 0, off_t(size)) == 0, fsync(fd) == 0 else {
                unlink(path)
                return false
            }
            released = false
            return true
        }
    }
}

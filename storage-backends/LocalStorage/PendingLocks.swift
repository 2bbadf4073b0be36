import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Pending blobs this process is writing, by temp path. Each holds an exclusive `flock` on its temp file from its
/// creation until `settle` or `delete`, so that another daemon sharing the location leaves it alone in its start-up
/// recovery (which would otherwise take a blob whose metadata is about to commit for an interrupted upload). The
/// kernel drops the lock with the process, so a crashed writer's blobs are recovered.
enum PendingLocks {
    private static let held = Mutex<[String: Int32]>([:])

    /// Locks the temp file open as `fd` (a new file: nobody else can hold it) until `release`.
    static func hold(_ path: String, fd: Int32) throws {
        try LocalStorage.check(flock(fd, LOCK_EX | LOCK_NB), "flock \(path)")
        let kept = try LocalStorage.check(dup(fd), "dup \(path)")  // the lock lives as long as this descriptor
        held.withLock { $0[path] = kept }
    }

    static func release(_ path: String) {
        if let fd = held.withLock({ $0.removeValue(forKey: path) }) { close(fd) }
    }

    /// Whether a live process (this one included) is writing the temp file at `path`.
    static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }
}

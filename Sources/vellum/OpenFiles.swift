import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The process's open-file limit, which bounds how many connections it can serve.
enum OpenFiles {
    /// Raises the soft open-file limit to the hard one, and returns how many connections to serve at once: at most
    /// `connections`, and at most half the limit (the rest is for files being written and read, the database and
    /// S3): past it, new connections wait in the kernel's backlog instead of failing to be accepted.
    static func raiseLimit(connections: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return connections }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let files = Int(min(limit.rlim_cur, rlim_t(Int32.max)))
        let allowed = min(connections, max(files / 2, 16))
        if allowed < connections {
            logger.warning(
                "the open-file limit allows fewer connections than configured",
                metadata: ["open_files": "\(files)", "max_connections": "\(allowed)"])
        }
        return allowed
    }
}

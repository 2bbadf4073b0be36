import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A directory of this process's own for temporary files, under a folder of the data directory: IIIF's in
/// `<data dir>/tmp/iiif` (libvips' files, named after `TMPDIR`, which `IIIFRenderer` points there, and pyramids being
/// written), the previews' in `<data dir>/tmp/preview` (copies of remote files, previews being written). The
/// directory is locked (`flock`) as long as the process lives. Making one first removes what dead processes left
/// there — killed in the middle of a build, say — which is every directory whose lock can be taken, and any other
/// file; the directories of other daemons running on the same data directory stay.
public struct ScratchDirectory: Sendable {
    public let path: String
    /// The locked descriptor, never closed: closing it would release the lock.
    private let descriptor: Int32

    public init(in root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        Self.sweep(root)
        while true {
            let path = root + "/" + UUID().uuidString.lowercased()
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0, flock(fd, LOCK_EX) == 0 else {
                let reason = String(cString: strerror(errno))
                if fd >= 0 { close(fd) }
                throw ConfigurationError("The temporary directory \(path) cannot be locked: \(reason).")
            }
            // Another daemon's sweep may have taken it between its creation and the lock, and removed it.
            var status = stat()
            if fstat(fd, &status) == 0, status.st_nlink > 0 {
                self.path = path
                descriptor = fd
                return
            }
            close(fd)
        }
    }

    /// Removes every entry of `root` but the locked directories of live processes.
    static func sweep(_ root: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = root + "/" + name
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

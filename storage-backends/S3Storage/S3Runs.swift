import Foundation
import NIOCore
import Synchronization
import VellumCore

#if canImport(Glibc)
    import Glibc
#endif

/// The processes writing to an S3 location ("runs"), so that one can tell whose pending blobs are abandoned.
///
/// Each process that writes gets a random run id. Before its first pending marker it stores a heartbeat object
/// `runs/<id>`, which the process's `storage` worker renews every 30 s (`S3Storage.keepAlive`); on this machine it also holds an `flock` on `<directory>/<id>.lock` for as
/// long as it lives. Another process deems a run dead when its lock file is there and free (it crashed on this
/// machine: known at once), or else when its heartbeat is missing or older than two minutes by the store's clock.
final class S3Runs: Sendable {
    let id = UUID().uuidString.lowercased()
    /// Where this machine's runs keep their lock files (nil: liveness by heartbeat only).
    let directory: String?
    static let deadAfter: TimeInterval = 120
    private let started = Mutex<Task<Void, any Error>?>(nil)
    private let locked = Mutex(false)

    init(directory: String?) { self.directory = directory }

    static func key(_ run: String) -> String { "runs/\(run)" }

    /// Makes this run known (once): its lock file and its first heartbeat.
    func start(_ client: S3Client) async throws {
        let first = started.withLock { task -> Task<Void, any Error> in
            if let task { return task }
            let made = Task { [id] in
                try self.lock()
                try await Self.beat(client, id)
            }
            task = made
            return made
        }
        do {
            try await first.value
        } catch {
            started.withLock { $0 = nil }  // try again next time
            throw error
        }
    }

    /// Renews the heartbeat of a run that has started (nothing before its first write).
    func renew(_ client: S3Client) async throws {
        guard let task = started.withLock({ $0 }), (try? await task.value) != nil else { return }
        try await Self.beat(client, id)
    }

    /// Takes this run's lock file (once); the descriptor stays open, and the lock held, until the process ends.
    private func lock() throws {
        guard let directory else { return }
        try locked.withLock { done in
            guard !done else { return }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = "\(directory)/\(id).lock"
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw S3ProtocolError("cannot lock \(path)") }
            done = true
        }
    }

    private static func beat(_ client: S3Client, _ id: String) async throws {
        let body = "host=\(ProcessInfo.processInfo.hostName)\npid=\(getpid())\n"
        let response = try await client.sendRetrying(.PUT, key: key(id), body: ByteBuffer(string: body))
        guard response.status == 200 else { throw S3Storage.failure("PUT \(key(id))", response) }
    }

    /// Whether run `run` has ended (crashed or exited) and left its pending blobs to others.
    func isDead(_ run: String, _ client: S3Client) async throws -> Bool {
        if run == id { return false }
        if let directory {
            let path = "\(directory)/\(run).lock"
            let fd = open(path, O_RDWR | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }  // alive on this machine
                unlink(path)
                return true
            }
        }
        let response = try await client.sendRetrying(.HEAD, key: Self.key(run))
        if response.status == 404 { return true }
        guard response.status == 200 else { throw S3Storage.failure("HEAD \(Self.key(run))", response) }
        guard let modified = response.headers.first(name: "last-modified").flatMap(HTTPDate.parse),
            let now = response.headers.first(name: "date").flatMap(HTTPDate.parse)
        else { return false }
        return now.timeIntervalSince(modified) > Self.deadAfter
    }
}

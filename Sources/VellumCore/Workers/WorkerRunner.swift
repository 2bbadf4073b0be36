import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs every background worker of the daemon, each in a loop of its own, as one `Service` of the daemon's
/// `ServiceGroup`: at graceful shutdown each loop stops (a unit under way is cancelled, and its work is picked up
/// from the database at the next start). Each worker's status is kept here, live (`statuses`, `GET /workers`),
/// and in the database (`workers`, `vellum worker list`): after a unit that changed its state, and at least every
/// `saveInterval` otherwise, so that a worker running every second does not cost a commit every second.
public final class WorkerRunner: Service, Sendable {
    let workers: [any BackgroundWorker]
    let store: any MetadataStore
    let holder: String
    let logger: Logger
    let saveInterval: Duration
    private let live: Mutex<[String: WorkerStatus]>

    public init(
        workers: [any BackgroundWorker], store: any MetadataStore, holder: String = WorkerRunner.thisProcess,
        saveInterval: Duration = .seconds(10), logger: Logger
    ) {
        self.workers = workers
        self.store = store
        self.holder = holder
        self.saveInterval = saveInterval
        self.logger = logger
        live = Mutex(
            Dictionary(
                workers.map {
                    ($0.name, WorkerStatus(name: $0.name, holder: holder, state: .idle, interval: $0.interval, updated: Date()))
                }
            ) { first, _ in first })
    }

    /// This process, as a worker's holder: host name and process id.
    public static var thisProcess: String {
        var name = [CChar](repeating: 0, count: 256)  // gethostname, not Foundation's hostName, which may ask DNS
        gethostname(&name, name.count - 1)
        return "\(String(cString: name)):\(getpid())"
    }

    /// Every worker's status now, by name.
    public var statuses: [WorkerStatus] { live.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    public func run() async throws {
        // One transaction for all of them at start (not one each, at once): record them, and find the checkpoint
        // each worker last saved, whichever process it was in.
        let starting = statuses
        let checkpoints: [String: String] =
            (try? await store.write { session -> [String: String] in
                let saved = try await session.workerStatuses().filter { $0.checkpoint != nil }
                for status in starting { try await session.saveWorkerStatus(status) }
                return Dictionary(saved.map { ($0.name, $0) }) { $0.updated >= $1.updated ? $0 : $1 }.compactMapValues(\.checkpoint)
            }) ?? [:]
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await self.loop(worker, from: checkpoints[worker.name]) } }
        }
    }

    private func loop(_ worker: any BackgroundWorker, from start: String?) async {
        await cancelWhenGracefulShutdown {
            var checkpoint = start
            var saved = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: worker.interval)
                } catch {
                    return
                }
                let before = self.update(worker.name) {
                    $0.state = .working
                    $0.lastStarted = Date()
                }
                do {
                    let report = try await worker.work(from: checkpoint)
                    checkpoint = report.checkpoint ?? checkpoint
                    let kept = checkpoint
                    self.update(worker.name) {
                        $0.state = .idle
                        $0.passes += 1
                        $0.items += report.items
                        $0.lastFinished = Date()
                        $0.lastError = nil
                        $0.checkpoint = kept
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("\(worker.name) failed; will retry", metadata: ["error": "\(error)"])
                    self.update(worker.name) {
                        $0.state = .failed
                        $0.passes += 1
                        $0.lastFinished = Date()
                        $0.lastError = "\(error)"
                    }
                }
                let now = self.live.withLock { $0[worker.name]?.state }
                if now != before.state || ContinuousClock.now - saved >= self.saveInterval {
                    await self.save(worker.name)
                    saved = .now
                }
            }
        }
        update(worker.name) { $0.state = .stopped }
        // In a task of its own: a command stops its runner by cancelling it (`whileRunning`), and PostgreSQL's
        // client refuses a cancelled task's queries.
        await Task { await self.save(worker.name) }.value
    }

    /// Changes a worker's live status; returns it as it was.
    @discardableResult
    private func update(_ name: String, _ change: (inout WorkerStatus) -> Void) -> WorkerStatus {
        live.withLock { statuses in
            guard var status = statuses[name] else { preconditionFailure("unknown worker \(name)") }
            let before = status
            change(&status)
            status.updated = Date()
            statuses[name] = status
            return before
        }
    }

    /// Records a worker's live status in the database; a failure only delays it (the next save carries it).
    private func save(_ name: String) async {
        guard let status = live.withLock({ $0[name] }) else { return }
        do {
            try await store.write { try await $0.saveWorkerStatus(status) }
        } catch {
            logger.debug("could not record a worker's status", metadata: ["worker": "\(name)", "error": "\(error)"])
        }
    }
}

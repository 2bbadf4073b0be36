/// Keeps this process known as alive to the others sharing its storage locations (`StorageBackend.keepAlive`: the
/// heartbeat of its S3 runs), every 30 s: well inside the two minutes after which another process deems a run
/// that has gone quiet dead and takes over its pending blobs.
public struct StorageWorker: BackgroundWorker {
    public let name = "storage"
    public let interval: Duration = .seconds(30)
    let storage: StorageRegistry

    public init(storage: StorageRegistry) { self.storage = storage }

    /// Every backend in use is renewed, even after one fails; the first failure is thrown then.
    public func work(from checkpoint: String?) async throws -> WorkReport {
        let backends = await storage.opened()
        var failure: (any Error)?
        for backend in backends {
            do {
                try await backend.keepAlive()
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return WorkReport(items: backends.count)
    }
}

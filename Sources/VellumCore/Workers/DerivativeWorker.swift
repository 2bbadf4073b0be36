import Foundation
import Logging

/// Makes the derivatives of one producer that are asked for, oldest request first, one at a time, and stores each as
/// a file of its own in its original's location: checksummed, verified by fixity, deleted with the original. A file
/// that can never have one (`DerivativeProducer.isPermanent`: not an image, too large, fits one tile; or in a
/// location with no local path) is recorded as such and not tried again; another failure (a full disk, say) is
/// recorded and tried again later, less and less often (`FilesAdministration.retryDerivative`).
public struct DerivativeWorker: BackgroundWorker {
    let producer: any DerivativeProducer
    let administration: FilesAdministration
    let logger: Logger

    public init(_ producer: any DerivativeProducer, administration: FilesAdministration, logger: Logger) {
        self.producer = producer
        self.administration = administration
        self.logger = logger
    }

    public var name: String { producer.name }
    /// Every second: a new file gets its derivative soon after it is stored.
    public var interval: Duration { .seconds(1) }

    public func work(from checkpoint: String?) async throws -> WorkReport {
        var made = 0
        while true {
            let pending = try await administration.pendingDerivatives(producer.kind, limit: 8)
            if pending.isEmpty { return WorkReport(items: made) }
            for file in pending {
                do {
                    try await make(file)
                    made += 1
                } catch let error as LocalOnly {
                    try await administration.failDerivative(producer.kind, of: file, error: error.message)
                } catch  where producer.isPermanent(error) {
                    let message = (error as? any DomainError)?.message ?? "\(error)"
                    logger.info("no \(producer.kind.rawValue) for this file", metadata: ["file": "\(file.id)", "reason": "\(message)"])
                    try await administration.failDerivative(producer.kind, of: file, error: message)
                } catch {
                    logger.warning("\(producer.kind.rawValue) failed; will retry", metadata: ["file": "\(file.id)", "error": "\(error)"])
                    try await administration.retryDerivative(producer.kind, of: file, error: "\(error)")
                }
            }
        }
    }

    private func make(_ file: FileInstance) async throws {
        guard let path = try await administration.localPath(file) else { throw LocalOnly() }
        // In the producer's temporary directory, which a restart empties if this process dies before the unlink.
        let target = producer.temporaryDirectory + "/\(producer.kind.rawValue)-\(UUID()).tmp"
        defer { unlink(target) }
        try await producer.produce(from: path, to: target)
        try await administration.storeDerivative(producer.kind, of: file, from: target)
    }

    /// The file's bytes have no local path (an S3 location): derivatives are made from local files only.
    struct LocalOnly: Error {
        let message = "Derivatives are made for files in local locations only."
    }
}

import Foundation
import Logging

/// Makes one producer's derivatives, as the handler of their jobs (`DerivativeKind.jobKind`, run by a `JobWorker`
/// named after the producer): one claimed at a time, so that no two daemons build the same one, oldest request
/// first; each is stored as a file of its own in its original's location (checksummed, verified by fixity, deleted
/// with the original). A file that can never have one (`DerivativeProducer.isPermanent`: not an image, too large,
/// fits one tile) fails its job for good; another failure (a full disk, S3 unreachable) is tried again later,
/// after 30 s, doubling, at most a day. A file in a location without local files (S3) is read once, into a copy.
public struct DerivativeJobs: JobHandler {
    let producer: any DerivativeProducer
    let administration: FilesAdministration

    public init(_ producer: any DerivativeProducer, administration: FilesAdministration) {
        self.producer = producer
        self.administration = administration
    }

    public var kind: String { producer.kind.jobKind }
    public var name: String { producer.name }
    /// One at a time: a claimed job waits for no other's build.
    public var batch: Int { 1 }
    /// A big image's pyramid takes minutes; a daemon that dies building one leaves it to others after this.
    public var lease: Duration { .seconds(900) }
    public func delay(afterAttempts attempts: Int) -> Duration { .seconds(min(30 * (1 << min(attempts - 1, 20)), 86_400)) }

    public func handle(_ job: Job) async throws {
        // Gone, made by another daemon meanwhile, or its file deleted: nothing to do.
        guard let id = UUID(uuidString: job.subject), let file = try await administration.derivativeSource(producer.kind, of: id)
        else { return }
        // In the producer's temporary directory, which a restart empties if this process dies before the unlink.
        let target = producer.temporaryDirectory + "/\(producer.kind.rawValue)-\(UUID()).tmp"
        defer { unlink(target) }
        // A file with no local path (S3) is read once, into a copy beside the derivative.
        let local = try await administration.localPath(file)
        let path = local ?? producer.temporaryDirectory + "/\(producer.kind.rawValue)-\(UUID()).original"
        defer { if local == nil { unlink(path) } }
        if local == nil { try await LocalCopies.write(file, administration.context, to: path) }
        do {
            let request = job.payload.flatMap { try? JSONDecoder().decode(DerivativeRequest.self, from: Data($0.utf8)) }
            try await producer.produce(from: path, to: target, for: request)
        } catch  where producer.isPermanent(error) {
            throw JobFailure.permanent((error as? any DomainError)?.message ?? "\(error)", level: .info)
        }
        try await administration.storeDerivative(producer.kind, of: file, from: target)
    }
}

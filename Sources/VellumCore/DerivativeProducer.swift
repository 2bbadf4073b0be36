/// Makes one kind of derivative of the stored files it accepts (a IIIF pyramid of an image; next, previews and
/// extracted text). Registered in the composition root (`FilesContext.producers`): the files services then ask for
/// its derivative as each accepted version commits, and a `JobWorker` running its `DerivativeJobs` makes them.
public protocol DerivativeProducer: Sendable {
    var kind: DerivativeKind { get }
    /// Its worker's name (`GET /workers`).
    var name: String { get }
    /// Whether a file stored with this media type gets the derivative.
    func accepts(mimetype: String) -> Bool
    /// A directory of the producer's own for what `produce` writes (a restart empties it of a dead process's files).
    var temporaryDirectory: String { get }
    /// Writes the derivative of the file whose bytes are at `source` (a local path) to `target`.
    func produce(from source: String, to target: String) async throws
    /// Whether `error` (of `produce`) means that this file can never have the derivative: it is then recorded as
    /// failed for good instead of being tried again later.
    func isPermanent(_ error: any Error) -> Bool
}

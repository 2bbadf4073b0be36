/// Makes one kind of derivative of the stored files it accepts (a IIIF pyramid of an image; next, previews and
/// extracted text). Registered in the composition root (`FilesContext.producers`): the files services then ask for
/// its derivative as each accepted version commits, and a `JobWorker` running its `DerivativeJobs` makes them.
public protocol DerivativeProducer: Sendable {
    var kind: DerivativeKind { get }
    /// Its worker's name (`GET /workers`).
    var name: String { get }
    /// Whether the file of a version stored with this media type under this key gets the derivative.
    func accepts(_ request: DerivativeRequest) -> Bool
    /// A directory of the producer's own for what `produce` writes (a restart empties it of a dead process's files).
    var temporaryDirectory: String { get }
    /// Writes the derivative of the file whose bytes are at `source` (a local path) to `target`, as `request` (nil
    /// for jobs that do not say) asked for it.
    func produce(from source: String, to target: String, for request: DerivativeRequest?) async throws
    /// Whether `error` (of `produce`) means that this file can never have the derivative: it is then recorded as
    /// failed for good instead of being tried again later.
    func isPermanent(_ error: any Error) -> Bool
}

/// The version whose commit asked for a derivative of its file: its key and stored media type (a preview's kind
/// depends on both). A derivative's job carries it as its payload, in JSON.
public struct DerivativeRequest: Codable, Sendable, Equatable {
    public var key: String
    public var mimetype: String

    public init(key: String, mimetype: String) {
        self.key = key
        self.mimetype = mimetype
    }
}

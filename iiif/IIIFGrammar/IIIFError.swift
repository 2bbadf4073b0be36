/// An error of the IIIF Image API: a request that does not parse or cannot be met, an image that cannot be read.
/// It names what went wrong (`reason`) and says it (`message`); how a front-end answers it is the front-end's.
public struct IIIFError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: IIIFReason
    /// What a client may be told.
    public var message: String
    /// Operator-only detail (paths, library errors): logged, never sent to clients.
    public var detail: String?

    public init(_ reason: IIIFReason, _ message: String, detail: String? = nil) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message + (detail.map { " (\($0))" } ?? "") }

    /// Whether trying again later cannot help: the image, not the moment, is the problem.
    public var isPermanent: Bool {
        switch reason {
        case .invalidRequest, .notFound, .tooLarge, .undecodable, .notImplemented: true
        case .busy, .failure: false
        }
    }
}

/// What can go wrong in that domain.
public enum IIIFReason: Sendable, Equatable {
    /// The request does not follow the grammar, or asks for no pixels or too many.
    case invalidRequest
    /// No image: the identifier names nothing, or a file that is not an image this server reads.
    case notFound
    /// The image is too large to render from its original now (its pyramid will serve it).
    case tooLarge
    /// The image's bytes cannot be decoded: damaged or truncated.
    case undecodable
    /// A feature (a format, a kind of location) this server does not offer.
    case notImplemented
    /// The image server is short of capacity; a retry may succeed.
    case busy
    /// The server itself failed (a pyramid that cannot be read, a temporary directory that cannot be locked).
    case failure
}

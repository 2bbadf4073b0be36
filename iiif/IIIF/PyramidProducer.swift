import Foundation
import IIIFGrammar
import VellumCore

/// The IIIF pyramid of every stored image (the images libvips reads), built by `IIIFRenderer.buildPyramid` and
/// stored as the image's derivative by its `DerivativeWorker`. Until it exists, the image is served from its
/// original.
public struct PyramidProducer: DerivativeProducer {
    let renderer: IIIFRenderer

    public init(renderer: IIIFRenderer) { self.renderer = renderer }

    /// The media types a pyramid is made for.
    public static let imageTypes: Set<String> = [
        "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/jp2", "image/heic", "image/heif",
        "image/avif",
    ]

    public var kind: DerivativeKind { .pyramid }
    public var name: String { "pyramids" }
    public var temporaryDirectory: String { renderer.temporaryDirectory }

    public func accepts(_ request: DerivativeRequest) -> Bool { Self.imageTypes.contains(request.mimetype) }

    public func produce(from source: String, to target: String, for request: DerivativeRequest?) async throws {
        try await renderer.buildPyramid(from: source, to: target)
    }

    /// Not an image, too large, fits one tile, does not decode: it never will.
    public func isPermanent(_ error: any Error) -> Bool { (error as? IIIFError)?.isPermanent ?? false }
}

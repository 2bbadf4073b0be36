/// Files Vellum makes from a stored file and keeps as files of their own: checksummed, verified by fixity, and
/// deleted with the file they were made from.
public enum DerivativeKind: String, Sendable {
    /// A tiled pyramid TIFF for the IIIF image server.
    case pyramid

    /// The media types a pyramid is made for (the images libvips reads).
    public static let pyramidTypes: Set<String> = [
        "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/jp2", "image/heic", "image/heif",
        "image/avif",
    ]
}

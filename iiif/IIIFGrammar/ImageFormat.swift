/// The format parameter: the output encoding.
public enum ImageFormat: String, Sendable, CaseIterable {
    case jpg, png, webp, gif, tif, jp2, pdf

    public var mediaType: String {
        switch self {
        case .jpg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .gif: "image/gif"
        case .tif: "image/tiff"
        case .jp2: "image/jp2"
        case .pdf: "application/pdf"
        }
    }

    /// A format of the IIIF specifications; 400 for anything else. Whether this server writes it is asked of the
    /// renderer (a valid format it cannot write is a 501).
    public init(_ text: Substring) throws {
        guard let format = ImageFormat(rawValue: String(text)) else {
            throw IIIFError(.invalidRequest, "Invalid format '\(text)': expected jpg, png, webp, gif, tif or jp2.")
        }
        self = format
    }
}

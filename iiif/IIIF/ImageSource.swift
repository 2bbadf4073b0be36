import IIIFGrammar

/// Where an image's bytes are on this machine: the stored file, and its pyramid once one was built; for a page of a
/// multi-page TIFF other than the first, the TIFF directory that holds it (`IIIFRenderer.tiffPages`).
public struct ImageSource: Sendable {
    public var path: String
    public var pyramid: String?
    public var directory: Int?

    public init(path: String, pyramid: String? = nil, directory: Int? = nil) {
        self.path = path
        self.pyramid = pyramid
        self.directory = directory
    }

    /// What the renderer keeps the header under.
    var key: String { pyramid ?? (directory.map { "\(path)#\($0)" } ?? path) }
}

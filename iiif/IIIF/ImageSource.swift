import IIIFGrammar

/// Where an image's bytes are on this machine: the stored file, and its pyramid once one was built.
public struct ImageSource: Sendable {
    public var path: String
    public var pyramid: String?

    public init(path: String, pyramid: String? = nil) {
        self.path = path
        self.pyramid = pyramid
    }
}

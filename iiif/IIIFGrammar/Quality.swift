/// The quality parameter.
public enum Quality: String, Sendable, CaseIterable {
    case `default`, color, gray, bitonal

    public init(_ text: Substring) throws {
        guard let quality = Quality(rawValue: String(text)) else {
            throw IIIFError(.invalidRequest, "Invalid quality '\(text)': expected default, color, gray or bitonal.")
        }
        self = quality
    }
}

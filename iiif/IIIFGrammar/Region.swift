/// The region parameter: which part of the image, before scaling.
public enum Region: Equatable, Sendable {
    case full
    /// The largest centred square.
    case square
    case pixels(PixelRect)
    /// Percentages of the full width (x, width) and height (y, height).
    case percent(x: Double, y: Double, width: Double, height: Double)

    public init(_ text: Substring) throws {
        switch text {
        case "full": self = .full
        case "square": self = .square
        default:
            let isPercent = text.hasPrefix("pct:")
            let values = (isPercent ? text.dropFirst(4) : text).split(separator: ",", omittingEmptySubsequences: false)
            guard values.count == 4 else {
                throw IIIFError(.invalidRequest, "Invalid region '\(text)': expected full, square, x,y,w,h or pct:x,y,w,h.")
            }
            if isPercent {
                let v = try values.map { try IIIFNumber.decimal($0, "region") }
                self = .percent(x: v[0], y: v[1], width: v[2], height: v[3])
            } else {
                let v = try values.map { try IIIFNumber.integer($0, "region") }
                self = .pixels(PixelRect(x: v[0], y: v[1], width: v[2], height: v[3]))
            }
        }
    }

    /// The pixels of a `width`×`height` image this region selects, cut at the image's edges; 400 when that is
    /// nothing (zero width or height, or entirely outside the image).
    public func resolve(width: Int, height: Int) throws -> PixelRect {
        var rect: PixelRect
        switch self {
        case .full:
            return PixelRect(x: 0, y: 0, width: width, height: height)
        case .square:
            let side = min(width, height)
            return PixelRect(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
        case .pixels(let pixels):
            rect = pixels
        case .percent(let x, let y, let w, let h):
            let left = Int((x * Double(width) / 100).rounded(.down))
            let top = Int((y * Double(height) / 100).rounded(.down))
            let right = Int(((x + w) * Double(width) / 100).rounded())
            let bottom = Int(((y + h) * Double(height) / 100).rounded())
            rect = PixelRect(x: left, y: top, width: right - left, height: bottom - top)
        }
        guard rect.width > 0, rect.height > 0 else { throw IIIFError(.invalidRequest, "The region has no pixels.") }
        guard rect.x < width, rect.y < height else {
            throw IIIFError(.invalidRequest, "The region is outside the image (\(width)×\(height)).")
        }
        rect.width = min(rect.width, width - rect.x)
        rect.height = min(rect.height, height - rect.y)
        return rect
    }

    /// The canonical form, for `rect` of a `width`×`height` image: `full` for the whole image, else `x,y,w,h`.
    static func canonical(_ rect: PixelRect, width: Int, height: Int) -> String {
        rect == PixelRect(x: 0, y: 0, width: width, height: height) ? "full" : rect.description
    }
}

/// The largest image Vellum renders, advertised in info.json (`maxWidth`, `maxHeight`, `maxArea`) and enforced:
/// `max` is scaled down to them, any other size beyond them is a 400.
public struct Limits: Equatable, Sendable {
    public var maxWidth: Int
    public var maxHeight: Int
    public var maxArea: Int

    public init(maxWidth: Int, maxHeight: Int, maxArea: Int) {
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxArea = maxArea
    }

    func allow(_ width: Int, _ height: Int) -> Bool {
        width <= maxWidth && height <= maxHeight && width * height <= maxArea
    }

    /// `width`×`height` scaled by one factor to the largest size within the limits (down, or up when `upscale`).
    func fit(_ width: Int, _ height: Int, upscale: Bool) -> (width: Int, height: Int) {
        let w = Double(width)
        let h = Double(height)
        var scale = min(Double(maxWidth) / w, Double(maxHeight) / h, (Double(maxArea) / (w * h)).squareRoot())
        if !upscale { scale = min(scale, 1) }
        if scale == 1 { return (width, height) }
        var fitted = (width: max(Int((w * scale).rounded(.down)), 1), height: max(Int((h * scale).rounded(.down)), 1))
        fitted.width = min(fitted.width, maxWidth)
        fitted.height = min(fitted.height, maxHeight)
        return fitted
    }
}

/// What info.json says about one image: its size, the tiles and sizes a viewer should ask for (each served
/// exactly), and the limits.
public struct ImageInfo: Sendable {
    public var width: Int
    public var height: Int
    public var tileSize: Int
    /// 1, 2, 4, … up to the first factor at which the whole image fits in one tile.
    public var scaleFactors: [Int]
    /// The image at each scale factor that the limits allow, smallest first.
    public var sizes: [(width: Int, height: Int)]
    public var limits: Limits

    public init(width: Int, height: Int, limits: Limits, tileSize: Int = 256) {
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.limits = limits
        var factors = [1]
        while (max(width, height) + factors.last! - 1) / factors.last! > tileSize { factors.append(factors.last! * 2) }
        scaleFactors = factors
        sizes = factors.reversed().map { ((width + $0 - 1) / $0, (height + $0 - 1) / $0) }
            .filter { limits.allow($0.0, $0.1) }
    }
}

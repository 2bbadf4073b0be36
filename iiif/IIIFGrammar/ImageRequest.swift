/// An image request's parameters: `{region}/{size}/{rotation}/{quality}.{format}`, parsed in that order (the
/// first invalid one is the 400's message).
public struct ImageRequest: Equatable, Sendable {
    public var region: Region
    public var size: Size
    public var rotation: Rotation
    public var quality: Quality
    public var format: ImageFormat

    public init(region: Region, size: Size, rotation: Rotation, quality: Quality, format: ImageFormat) {
        self.region = region
        self.size = size
        self.rotation = rotation
        self.quality = quality
        self.format = format
    }

    public init(region: Substring, size: Substring, rotation: Substring, file: Substring, version: IIIFVersion) throws {
        self.region = try Region(region)
        self.size = try Size(size, version: version)
        self.rotation = try Rotation(rotation)
        guard let dot = file.lastIndex(of: ".") else {
            throw IIIFError(.invalidRequest, "Invalid '\(file)': expected {quality}.{format}.")
        }
        self.quality = try Quality(file[..<dot])
        self.format = try ImageFormat(file[file.index(after: dot)...])
    }

    /// What to render from a `width`×`height` image: the region's pixels and the output size. 400 for a region or
    /// size that has no pixels, is out of range, or exceeds `limits`.
    public func plan(width: Int, height: Int, limits: Limits, version: IIIFVersion) throws -> RenderPlan {
        let rect = try region.resolve(width: width, height: height)
        let output = try size.resolve(width: rect.width, height: rect.height, limits: limits, version: version)
        let rotated = rotation.boundingBox(width: output.width, height: output.height)
        guard limits.allow(rotated.width, rotated.height) else {
            throw IIIFError(.invalidRequest, "The rotated image would exceed the limits.")
        }
        return RenderPlan(
            region: rect, width: output.width, height: output.height, rotation: rotation, quality: quality, format: format,
            canonical: canonical(rect, output, width: width, height: height, limits: limits, version: version))
    }

    /// The canonical URI path of the image this request yields: `{region}/{size}/{rotation}/{quality}.{format}`.
    func canonical(
        _ rect: PixelRect, _ output: (width: Int, height: Int), width: Int, height: Int, limits: Limits,
        version: IIIFVersion
    ) -> String {
        let regionText = Region.canonical(rect, width: width, height: height)
        let sizeText: String
        switch version {
        case .v2:
            let keepsAspect = output.height == Int((Double(rect.height) * Double(output.width) / Double(rect.width)).rounded())
            sizeText =
                (output.width, output.height) == (rect.width, rect.height)
                ? "full" : keepsAspect ? "\(output.width)," : "\(output.width),\(output.height)"
        case .v3:
            let max = limits.fit(rect.width, rect.height, upscale: false)
            let enlarged = output.width > rect.width || output.height > rect.height
            sizeText =
                (output.width, output.height) == (max.width, max.height)
                ? "max" : (enlarged ? "^" : "") + "\(output.width),\(output.height)"
        }
        return "\(regionText)/\(sizeText)/\(rotation.canonical)/\(quality.rawValue).\(format.rawValue)"
    }
}

/// A request resolved against one image: what the renderer does.
public struct RenderPlan: Equatable, Sendable {
    /// The region, in pixels of the full image.
    public var region: PixelRect
    /// The size the region is scaled to, before rotation.
    public var width: Int
    public var height: Int
    public var rotation: Rotation
    public var quality: Quality
    public var format: ImageFormat
    /// The canonical `{region}/{size}/{rotation}/{quality}.{format}`: the `Link: rel="canonical"` and cache key.
    public var canonical: String

    /// The output's size relative to the region's (the smaller of the two axes').
    public var scale: Double { min(Double(width) / Double(region.width), Double(height) / Double(region.height)) }
}

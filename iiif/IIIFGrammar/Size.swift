/// The size parameter: the scale of the extracted region.
public struct Size: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// 2.1 only: the region unscaled.
        case full
        /// The region, scaled down (3.0 `^max`: up or down) to the limits.
        case max
        case width(Int)
        case height(Int)
        case percent(Double)
        /// `w,h`: exactly, the aspect ratio may change.
        case exact(Int, Int)
        /// `!w,h`: the largest size with the region's aspect ratio that fits.
        case confined(Int, Int)
    }

    public var kind: Kind
    /// 3.0 `^`: may be larger than the region.
    public var upscale: Bool

    public init(_ kind: Kind, upscale: Bool = false) {
        self.kind = kind
        self.upscale = upscale
    }

    public init(_ text: Substring, version: IIIFVersion) throws {
        var rest = text
        upscale = rest.hasPrefix("^")
        if upscale {
            guard version == .v3 else { throw IIIFError(.invalidRequest, "Invalid size '\(text)': ^ is IIIF 3.0 syntax.") }
            rest = rest.dropFirst()
        }
        func invalid() -> IIIFError {
            IIIFError(.invalidRequest, "Invalid size '\(text)': expected max, w,, ,h, pct:n, w,h or !w,h.")
        }
        if rest == "full" {
            guard version == .v2, !upscale else {
                throw IIIFError(.invalidRequest, "Invalid size 'full': IIIF 3.0 has no size full; use max.")
            }
            kind = .full
        } else if rest == "max" {
            kind = .max
        } else if rest.hasPrefix("pct:") {
            kind = .percent(try IIIFNumber.decimal(rest.dropFirst(4), "size"))
        } else {
            let confined = rest.hasPrefix("!")
            let values = (confined ? rest.dropFirst() : rest).split(separator: ",", omittingEmptySubsequences: false)
            guard values.count == 2 else { throw invalid() }
            let w = values[0].isEmpty ? nil : try IIIFNumber.integer(values[0], "size")
            let h = values[1].isEmpty ? nil : try IIIFNumber.integer(values[1], "size")
            switch (w, h, confined) {
            case (let w?, let h?, false): kind = .exact(w, h)
            case (let w?, let h?, true): kind = .confined(w, h)
            case (let w?, nil, false): kind = .width(w)
            case (nil, let h?, false): kind = .height(h)
            default: throw invalid()
            }
        }
    }

    /// The output size for a region of `width`×`height`. 400 when it has no pixels, exceeds `limits`, or (3.0,
    /// without `^`) is larger than the region; percentages over 100 count as larger.
    public func resolve(width: Int, height: Int, limits: Limits, version: IIIFVersion) throws -> (width: Int, height: Int) {
        let w = Double(width)
        let h = Double(height)
        var size: (width: Int, height: Int)
        switch kind {
        case .full:
            size = (width, height)
        case .max:
            return limits.fit(width, height, upscale: upscale)
        case .width(let target):
            size = (target, Int((h * Double(target) / w).rounded()))
        case .height(let target):
            size = (Int((w * Double(target) / h).rounded()), target)
        case .percent(let percent):
            if version == .v3, !upscale, percent > 100 {
                throw IIIFError(.invalidRequest, "Invalid size: pct over 100 enlarges the region; use ^pct.")
            }
            size = (Int((w * percent / 100).rounded()), Int((h * percent / 100).rounded()))
        case .exact(let targetWidth, let targetHeight):
            size = (targetWidth, targetHeight)
        case .confined(let boxWidth, let boxHeight):
            // The best fit in the box, even if larger than the region: 3.0 then refuses it without ^ (as the
            // official validator expects of !2000,3000 on a 1000×1000 image).
            let scale = min(Double(boxWidth) / w, Double(boxHeight) / h)
            size = (min(Int((w * scale).rounded()), boxWidth), min(Int((h * scale).rounded()), boxHeight))
        }
        if size.width < 1 || size.height < 1 { throw IIIFError(.invalidRequest, "The requested size has no pixels.") }
        if version == .v3, !upscale, size.width > width || size.height > height {
            throw IIIFError(.invalidRequest, "The requested size is larger than the region (\(width)×\(height)); use ^ to enlarge.")
        }
        guard limits.allow(size.width, size.height) else {
            throw IIIFError(
                .invalidRequest,
                "The requested size \(size.width)×\(size.height) exceeds the limits (\(limits.maxWidth)×"
                    + "\(limits.maxHeight), \(limits.maxArea) pixels).")
        }
        return size
    }
}

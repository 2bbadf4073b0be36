import Foundation

/// The rotation parameter: an optional mirroring (`!`, about the vertical axis, applied first), then a clockwise
/// rotation by 0 to 360 degrees.
public struct Rotation: Equatable, Sendable {
    public var mirror: Bool
    public var degrees: Double

    public init(mirror: Bool = false, degrees: Double = 0) {
        self.mirror = mirror
        self.degrees = degrees
    }

    public init(_ text: Substring) throws {
        mirror = text.hasPrefix("!")
        let given = try IIIFNumber.decimal(mirror ? text.dropFirst() : text, "rotation")
        guard given <= 360 else { throw IIIFError(.invalidRequest, "Invalid rotation '\(text)': more than 360 degrees.") }
        // To the ten decimals the canonical form has, so that it names exactly the angle rendered.
        degrees = (given * 1e10).rounded() / 1e10
        if degrees == 360 { degrees = 0 }
    }

    /// A multiple of 90 degrees: rotated without resampling.
    public var isRightAngle: Bool { degrees.truncatingRemainder(dividingBy: 90) == 0 }

    /// `!` if mirrored, then the angle without trailing zeros.
    var canonical: String {
        let angle =
            degrees == degrees.rounded()
            ? String(Int(degrees)) : String(format: "%.10f", degrees).replacing(/0+$/, with: "")
        return (mirror ? "!" : "") + angle
    }

    /// The bounding box of a `width`×`height` image rotated by this angle.
    func boundingBox(width: Int, height: Int) -> (width: Int, height: Int) {
        let radians = degrees * .pi / 180
        let w = Double(width)
        let h = Double(height)
        let c = abs(cos(radians))
        let s = abs(sin(radians))
        return (Int((w * c + h * s).rounded()), Int((h * c + w * s).rounded()))
    }
}

import IIIFGrammar
import VellumCore

/// How a render from an original reads it.
enum OriginalRead: Equatable {
    /// Decoded whole into memory: any pipeline works on it.
    case whole
    /// Read once, top to bottom, a few lines at a time (`vellum_vips_skip` over the lines above the region); the
    /// output is computed into memory before a rotation, which reads in another order.
    case stream
}

extension IIIFRenderer {
    /// Renders that decode more than this go to the heavy lane: more than a viewer's scaled tile or a
    /// `drawJPEG` thumbnail of at most `smallPixels` (12 MB in RGB), which the light lane is kept for.
    static let heavyBytes = 16 << 20

    /// What a render decodes, in bytes, as a measure of its work: the region at the pyramid level it is drawn
    /// from, or the original as decoded (whole or streamed, a render reads every line down to its region's
    /// bottom), or the output when that is larger (an enlargement).
    static func cost(of plan: RenderPlan, _ header: ImageHeader, fromPyramid: Bool) -> Int {
        let output = plan.width * plan.height * header.pixelBytes
        guard fromPyramid else { return max(header.decodedBytes(shrink: header.shrink(scale: plan.scale)), output) }
        let level = level(scale: plan.scale, pages: header.levels)
        let span = 1 << level
        let region = (plan.region.width + span - 1) / span * ((plan.region.height + span - 1) / span)
        return max(region * header.pixelBytes, output)
    }

    /// How a render of `plan` reads the original `header` describes within `budget` bytes of decoded pixels: whole
    /// when that fits (any pipeline, as fast as libvips goes), else streamed when its loader streams and its lines
    /// (and a rotated output) fit. Otherwise 413: the image, not the request, is too large to render from its
    /// original now (400 is for malformed requests and for images over `maxPixels`, which are never rendered); its
    /// pyramid, built in the background, serves it once there.
    static func read(_ plan: RenderPlan, _ header: ImageHeader, budget: Int) throws -> OriginalRead {
        let shrink = header.shrink(scale: plan.scale)
        let whole = header.decodedBytes(shrink: shrink)
        if whole <= budget { return .whole }
        let rotated = plan.rotation.degrees == 0 ? 0 : plan.width * plan.height * header.pixelBytes
        if header.streams, header.streamedBytes(shrink: shrink) + rotated <= budget { return .stream }
        throw IIIFError(
            .tooLarge,
            "Rendering this image from its original needs \(whole >> 20) MB of decoded pixels, more than this server's "
                + "budget of \(budget >> 20) MB per render; it can be rendered once its pyramid is built.")
    }
}

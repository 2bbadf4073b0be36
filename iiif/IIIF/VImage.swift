import CVips
import Foundation
import IIIFGrammar
import VellumCore

/// One libvips image: immutable, shareable between threads, released with this object. Operations return new
/// images; nothing is computed until an encoder pulls the pixels.
final class VImage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<VipsImage>

    private init(_ pointer: UnsafeMutablePointer<VipsImage>) {
        self.pointer = pointer
    }

    deinit { g_object_unref(pointer) }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var pages: Int { Int(vips_image_get_n_pages(pointer)) }
    var isByte: Bool { vips_image_get_format(pointer) == VIPS_FORMAT_UCHAR }
    var interpretation: VipsInterpretation { vips_image_get_interpretation(pointer) }
    var is16Bit: Bool {
        let space = vips_image_get_interpretation(pointer)
        return space == VIPS_INTERPRETATION_RGB16 || space == VIPS_INTERPRETATION_GREY16
    }
    var isGray: Bool {
        let space = vips_image_get_interpretation(pointer)
        return space == VIPS_INTERPRETATION_B_W || space == VIPS_INTERPRETATION_GREY16
    }

    /// Runs a shim call that makes an image; its failure is a `VImage.Failure` with libvips' message.
    static func make(_ call: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32) throws -> VImage {
        var out: UnsafeMutablePointer<VipsImage>?
        guard call(&out) == 0, let out else { throw Failure.last() }
        return VImage(out)
    }

    func then(_ call: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32)
        throws -> VImage
    {
        try Self.make { call(pointer, $0) }
    }

    /// Encodes with a shim encoder; the bytes are copied out of libvips' buffer.
    func encode(
        _ call: (
            UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutableRawPointer?>,
            UnsafeMutablePointer<Int>
        ) -> Int32
    ) throws -> [UInt8] {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard call(pointer, &buffer, &length) == 0, let buffer else { throw Failure.last() }
        defer { g_free(buffer) }
        return [UInt8](UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// A libvips error: its message (libvips keeps one error buffer for the process, so under load a message may
    /// mix in another thread's).
    struct Failure: Error, CustomStringConvertible {
        let description: String

        static func last() -> Failure {
            let message = String(cString: vips_error_buffer()).trimmingCharacters(in: .whitespacesAndNewlines)
            vips_error_clear()
            return Failure(description: message.isEmpty ? "libvips failed" : message)
        }

        /// Whether libvips ran out of memory or disk space (its messages, or the system's it quotes), rather than
        /// failing on the image.
        var isShortage: Bool {
            let message = description.lowercased()
            return [
                "out of memory", "cannot allocate memory", "disc full", "no space left", "unable to write",
                "write failed", "too many open files",
            ].contains { message.contains($0) }
        }

        /// What a failed render tells the client. A shortage is the server's, for now: 503, retry. Otherwise the
        /// image's pixels do not decode: an original's fault is the stored file's, which no retry mends — 422, the
        /// request is fine but what it names cannot be processed (400 would blame the request, 404 would deny that
        /// the image exists, and its header did read). A pyramid's is the server's: it wrote it from an image that
        /// decoded, so it was damaged since (fixity reports it).
        func answer(fromPyramid: Bool) -> IIIFError {
            if isShortage {
                return IIIFError(.busy, "The image server is short of memory or disk space; retry shortly.", detail: description)
            }
            if fromPyramid { return IIIFError(.failure, "The image's pyramid cannot be read.", detail: description) }
            return IIIFError(.undecodable, "The image cannot be decoded: it is damaged or truncated.", detail: description)
        }
    }
}

import Foundation
import IIIFGrammar
import VellumCore

/// The IIIF module's settings (`iiif_*`, `VELLUM_IIIF_*`), declared here once with their defaults; see
/// `docs/configuration.md`.
public struct IIIFSettings: SettingsGroup {
    /// Images with more pixels than this (from the header) are not decoded.
    public var maxPixels = 100_000_000
    /// The largest output width and height, and area.
    public var maxSize = 10000
    public var maxArea = 25_000_000
    /// Images rendered at once, and requests that may wait for them before 503s.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var queue = 64
    public var jpegQuality = 90
    /// MB of encoded responses kept in memory.
    public var cacheMB = 256
    /// MB of decoded pixels one render from an original may hold.
    public var renderMB = 128
    /// MB of local copies of images (and their pyramids) stored in locations without local files (S3).
    public var copiesMB = 2048

    public init() {}

    public static let table: [Setting<IIIFSettings>] = [
        .count("iiif_max_pixels", \.maxPixels),
        .count("iiif_max_size", \.maxSize),
        .count("iiif_max_area", \.maxArea),
        .count("iiif_threads", \.threads),
        .count("iiif_queue", \.queue),
        .count("iiif_jpeg_quality", \.jpegQuality),
        .count("iiif_cache_mb", \.cacheMB, zero: true),
        .count("iiif_render_mb", \.renderMB),
        .count("iiif_copies_mb", \.copiesMB),
    ]

    /// The renderer's settings, its temporary files under `dataDir`.
    public func renderer(dataDir: String) -> IIIFRenderer.Settings {
        IIIFRenderer.Settings(
            maxPixels: maxPixels, limits: Limits(maxWidth: maxSize, maxHeight: maxSize, maxArea: maxArea),
            jpegQuality: min(jpegQuality, 100), threads: threads, queue: queue, cacheBytes: cacheMB << 20,
            renderBytes: renderMB << 20, temporaryDirectory: dataDir + "/tmp/iiif")
    }
}

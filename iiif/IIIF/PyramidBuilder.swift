import Foundation
import Logging
import VellumCore

/// Builds the IIIF pyramid of every stored image that has none yet (the requests are recorded with each new image
/// version, so they survive restarts), one at a time, and stores it as the image's derivative: a file of its own in
/// the same location, checksummed, verified by fixity, deleted with the image. Until it exists, the image is
/// served from its original.
public struct PyramidBuilder: Sendable {
    let files: FilesServices
    let renderer: IIIFRenderer
    let logger: Logger

    public init(files: FilesServices, renderer: IIIFRenderer, logger: Logger) {
        self.files = files
        self.renderer = renderer
        self.logger = logger
    }

    /// Builds the pyramids asked for, oldest first, until none is due; returns how many it built. An image that
    /// cannot have one (not an image, too large, fits one tile) is recorded as such and not tried again; another
    /// failure (a full disk, say) is recorded and tried again later, less and less often (`retryDerivative`).
    public func buildPending() async throws -> Int {
        var built = 0
        while true {
            let pending = try await files.administration.pendingDerivatives(.pyramid, limit: 8)
            if pending.isEmpty { return built }
            for file in pending {
                do {
                    try await build(file)
                    built += 1
                } catch let error as IIIFError where error.isPermanent {
                    logger.info("no pyramid for this file", metadata: ["file": "\(file.id)", "reason": "\(error.message)"])
                    try await files.administration.failDerivative(.pyramid, of: file, error: error.message)
                } catch {
                    logger.warning("pyramid build failed; will retry", metadata: ["file": "\(file.id)", "error": "\(error)"])
                    try await files.administration.retryDerivative(.pyramid, of: file, error: "\(error)")
                }
            }
        }
    }

    private func build(_ file: FileInstance) async throws {
        guard let path = try await files.administration.localPath(file) else {
            throw IIIFError(.invalidRequest, "Pyramids are built for files in local locations only.")
        }
        // In the renderer's temporary directory, which a restart empties if this process dies before the unlink.
        let target = renderer.temporaryDirectory + "/pyramid-\(UUID()).tif"
        defer { unlink(target) }
        try await renderer.buildPyramid(from: path, to: target)
        try await files.administration.storeDerivative(.pyramid, of: file, from: target)
    }
}

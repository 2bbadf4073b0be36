import CVips
import IIIFGrammar
import Synchronization

/// Pyramid pages kept open between requests (libvips images are immutable and shared between threads): a tile
/// then costs no file open and no TIFF directory parsing. Pyramids are immutable files, so an entry is never stale;
/// the least recently used page is closed when `capacity` are open.
final class PageCache: Sendable {
    private struct State {
        var pages: [String: (image: VImage, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func page(_ path: String, _ page: Int) throws -> VImage {
        let key = "\(page):\(path)"
        if let image = state.withLock({ state -> VImage? in
            state.clock += 1
            state.pages[key]?.used = state.clock
            return state.pages[key]?.image
        }) {
            return image
        }
        let image = try VImage.make { vellum_vips_tiff_page(path, Int32(page), $0) }
        state.withLock { state in
            if state.pages.count >= capacity, let oldest = state.pages.min(by: { $0.value.used < $1.value.used }) {
                state.pages[oldest.key] = nil
            }
            state.pages[key] = (image, state.clock)
        }
        return image
    }
}

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when it is a terminal, at most ten times a second.
final class ProgressBar: Sendable {
    private struct State {
        var done: Int64
        var files = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    let total: Int64
    /// When counting files too: how many in all.
    let totalFiles: Int?
    let label: String
    /// Counting things (records), not bytes.
    let counting: Bool
    private let start = ContinuousClock.now
    private let state: Mutex<State>
    private let enabled = isatty(STDERR_FILENO) == 1

    init(total: Int64, done: Int64 = 0, totalFiles: Int? = nil, label: String, counting: Bool = false) {
        self.total = total
        self.totalFiles = totalFiles
        self.label = label
        self.counting = counting
        self.state = Mutex(State(done: done))
    }

    func add(_ bytes: Int) {
        state.withLock { state in
            state.done += Int64(bytes)
            redraw(&state)
        }
    }

    /// Sets the bytes and files done so far.
    func set(bytes: Int64, files: Int) {
        state.withLock { state in
            state.done = bytes
            state.files = files
            redraw(&state)
        }
    }

    private func redraw(_ state: inout State) {
        let now = ContinuousClock.now
        guard enabled, now - state.lastDraw >= .milliseconds(100) else { return }
        state.lastDraw = now
        draw(state, elapsed: now - start)
    }

    /// Draws the final state and ends the line.
    func finish() {
        guard enabled else { return }
        state.withLock { draw($0, elapsed: ContinuousClock.now - start) }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ state: State, elapsed: Duration) {
        let done = state.done
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Int(Double(total - done) / rate) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let files = totalFiles.map { "\(state.files)/\($0) files " } ?? ""
        let line =
            counting
            ? "\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(Int(rate))/s ETA \(eta)s "
            : "\r\(label) [\(bar)] \(Int(fraction * 100))% \(files)\(Self.size(Double(done)))/\(Self.size(Double(total))) "
                + "\(Self.size(rate))/s ETA \(eta)s "
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return (unit == 0 ? String(Int(value)) : String(format: "%.1f", value)) + " " + units[unit]
    }
}

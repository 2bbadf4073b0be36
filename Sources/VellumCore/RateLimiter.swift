/// Paces byte consumption to a rate shared by every caller: each `take` books its bytes after those already
/// booked and sleeps until their time has come.
public actor RateLimiter {
    let bytesPerSecond: Double
    private var nextFree = ContinuousClock.now

    public init(bytesPerSecond: Double) {
        self.bytesPerSecond = max(bytesPerSecond, 1)
    }

    public func take(_ bytes: Int) async {
        let now = ContinuousClock.now
        let start = max(nextFree, now)
        nextFree = start + .seconds(Double(bytes) / bytesPerSecond)
        // The bytes may be used once their slot starts: the first chunk goes at once, later ones wait their turn.
        if start > now { try? await Task.sleep(until: start, clock: .continuous) }
    }
}

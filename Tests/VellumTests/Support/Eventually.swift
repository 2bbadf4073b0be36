/// Polls `condition` every `interval` until it holds, at most `attempts` times; returns whether it held. (A
/// `for _ in 0..<n where condition` loop does not stop when the condition holds: it evaluates it n times.)
@discardableResult
func eventually(
    _ attempts: Int = 200, every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

extension TestServer {
    /// How many units the daemon's worker `name` has finished (`GET /workers`).
    func workerPasses(_ name: String) async throws -> Int {
        let workers = try await request(.GET, "/workers").json()["workers"] as? [[String: Any]] ?? []
        return workers.first { $0["name"] as? String == name }?["passes"] as? Int ?? -1
    }

    /// Waits until the worker `name` has finished `count` more units than when called: positive evidence that it
    /// has looked at what the test set up, instead of a fixed sleep.
    func waitForPasses(_ name: String, _ count: Int = 2, attempts: Int = 600) async throws {
        let start = try await workerPasses(name)
        guard start >= 0 else { throw TestError("no worker named \(name)") }
        guard try await eventually(attempts, every: .milliseconds(50), { try await workerPasses(name) >= start + count }) else {
            throw TestError("the worker \(name) did not finish \(count) passes")
        }
    }
}

extension TestServer {
    /// Waits until the daemon says (in `/metrics`) that `count` uploads are under way: it has read their heads and is
    /// storing their bodies. A loaded machine can take seconds to get there; a daemon that never does fails the test.
    func waitForUploadsInFlight(_ count: Int = 1) async throws {
        guard
            try await eventually(
                1200, every: .milliseconds(50),
                {
                    let metrics = try await request(.GET, "/metrics", token: nil).text.split(separator: "\n")
                    let line = metrics.first { $0.hasPrefix("vellum_uploads_in_flight ") }
                    return line.flatMap { Double($0.split(separator: " ")[1]) } == Double(count)
                })
        else {
            throw TestError("the daemon never had \(count) uploads in flight")
        }
    }
}

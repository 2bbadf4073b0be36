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

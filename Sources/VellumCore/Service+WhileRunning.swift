import ServiceLifecycle

extension Service {
    /// Runs `body` while this service runs, then stops the service (cancels it) and waits for it, whether `body`
    /// threw or not: a command's way to use a service (the store, the workers) without a service group.
    public func whileRunning<R>(_ body: () async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

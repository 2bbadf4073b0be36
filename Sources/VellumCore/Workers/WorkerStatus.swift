import Foundation

/// What a worker of one daemon is doing and has done since that daemon started.
public struct WorkerStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Waiting for its next unit.
        case idle
        case working
        /// Its last unit failed (`lastError`); the next one retries.
        case failed
        /// Its daemon stopped.
        case stopped
    }

    public var name: String
    /// The daemon: host name and process id.
    public var holder: String
    public var state: State
    public var interval: Duration
    /// Units done (failed ones included), and the items they handled.
    public var passes: Int
    public var items: Int
    public var lastStarted: Date?
    public var lastFinished: Date?
    public var lastError: String?
    public var checkpoint: String?
    public var updated: Date

    public init(
        name: String, holder: String, state: State, interval: Duration, passes: Int = 0, items: Int = 0,
        lastStarted: Date? = nil, lastFinished: Date? = nil, lastError: String? = nil, checkpoint: String? = nil,
        updated: Date
    ) {
        self.name = name
        self.holder = holder
        self.state = state
        self.interval = interval
        self.passes = passes
        self.items = items
        self.lastStarted = lastStarted
        self.lastFinished = lastFinished
        self.lastError = lastError
        self.checkpoint = checkpoint
        self.updated = updated
    }
}

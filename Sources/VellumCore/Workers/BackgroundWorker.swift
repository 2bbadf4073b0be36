import Foundation

/// Work that outlives a request (maintenance, fixity, pyramids, …), done one unit at a time by the daemon's one
/// `WorkerRunner`: a unit, then `interval` (the throttle), then the next. What a worker acts on is in the database,
/// so it picks up after a restart; a unit that fails is logged and the next one retries.
public protocol BackgroundWorker: Sendable {
    /// Unique among the daemon's workers: how `GET /workers` and `vellum worker list` name it.
    var name: String { get }
    /// The pause before each unit.
    var interval: Duration { get }
    /// Does one unit of work from `checkpoint` (the one the last unit returned, kept in the database across
    /// restarts; nil at first), and says what it did.
    func work(from checkpoint: String?) async throws -> WorkReport
}

/// What one unit of work did.
public struct WorkReport: Sendable, Equatable {
    /// How many things it handled (files checked, pyramids built, uploads expired, …).
    public var items: Int
    /// Where the worker stands, for the next unit (nil: keep the last one).
    public var checkpoint: String?

    public init(items: Int, checkpoint: String? = nil) {
        self.items = items
        self.checkpoint = checkpoint
    }
}

extension Duration {
    /// `fraction` of `span` seconds, kept between one second and one minute: a worker's interval derived from the
    /// period it must keep (uploads expire after `span`, every file is verified within `span`).
    public static func workerInterval(_ fraction: Double, of span: Double) -> Duration {
        .seconds(min(max(span * fraction, 1), 60))
    }
}

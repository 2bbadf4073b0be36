import Foundation

/// The PID store's queries, run in the records' transactions (`session.queries(PIDQueries.self)`).
public protocol PIDQueries: Sendable {
    func pid(_ reference: PID.Reference) async throws -> PID?
    /// The PIDs of a record or a concept.
    func pids(of object: PID.Object, _ id: Int64) async throws -> [PID]
    /// The PIDs of several records or concepts.
    func pids(of object: PID.Object, _ ids: [Int64]) async throws -> [PID]
    /// Adds a PID; false when that scheme and value exist already.
    func insertPID(_ pid: PID) async throws -> Bool
    func updatePID(_ pid: PID) async throws
    func insertPIDEvent(_ event: PIDEvent) async throws
    /// The PID's events, oldest first.
    func pidEvents(_ reference: PID.Reference) async throws -> [PIDEvent]

    /// Asks for the DOI to be sent to DataCite (now): a new task, or the existing one made pending again.
    func requestDOITask(_ doi: String, at: Date) async throws
    func doiTask(_ doi: String) async throws -> DOITask?
    /// The tasks of those of `dois` that have one.
    func doiTasks(_ dois: [String]) async throws -> [DOITask]
    /// Tasks in `state`, by DOI, the first `limit` after `after`; with `dueBy`, only those due by then.
    func doiTasks(_ state: DOITask.State, dueBy: Date?, after: String, limit: Int) async throws -> [DOITask]
    /// Takes a task for a while (`until`) if it is still as read (`task.generation` and `task.due`): false when
    /// another daemon took it or it changed.
    func claimDOITask(_ task: DOITask, until: Date) async throws -> Bool
    /// Saves the task's outcome: removed if done and not asked for again meanwhile (same generation), else updated.
    func finishDOITask(_ task: DOITask, done: Bool) async throws
}

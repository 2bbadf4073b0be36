import Foundation

/// Background workers' statuses (`workers`): one row per worker and daemon.
public protocol WorkerQueries {
    /// Records a worker's status, and forgets that worker's rows that no daemon has updated for a day.
    func saveWorkerStatus(_ status: WorkerStatus) async throws

    /// Every row, by worker name, then most recent first.
    func workerStatuses() async throws -> [WorkerStatus]
}

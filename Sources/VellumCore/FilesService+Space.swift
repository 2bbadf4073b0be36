/// Full disks: writes answer 507 while the space reserve is given up; deletions give it up when the database has
/// no room left to record them, so that space can always be freed through the API (see `SpaceReserve`).
extension FilesService {
    /// Before a write that stores bytes: 507 while the reserve is given up and cannot be put back yet.
    func requireSpace() throws {
        guard let spaceReserve, spaceReserve.isReleased, !spaceReserve.restore() else { return }
        throw StorageError.insufficientStorage("the space reserve is given up until the disk has room for it")
    }

    /// Runs a deletion; when the disk is too full for it, gives up the space reserve and runs it again.
    func freeingSpace<R>(_ work: () async throws -> R) async throws -> R {
        do {
            return try await work()
        } catch let error as StorageError where error.reason == .full {
            guard let spaceReserve, spaceReserve.release() else { throw error }
            logger.warning("disk full: gave up the space reserve so that deletions can free space")
            return try await work()
        }
    }
}

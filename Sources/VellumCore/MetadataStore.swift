import Foundation
import ServiceLifecycle

/// The metadata database. Implementations (SQLite, PostgreSQL) live in VellumStore; services hold the rules.
///
/// A store is a `Service`: it is usable while its `run()` runs (the daemon's service group runs it first, so that
/// it stops last; a command runs it around its work with `whileRunning`), and its connections close when `run()`
/// returns, at graceful shutdown or cancellation.
public protocol MetadataStore: Service {
    /// Runs `body` against committed state (no locks held).
    func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// Runs `body` in one write transaction that commits durably before this returns. If `body` throws, none of
    /// its writes happen. Concurrent writes may share one commit (group commit). `body` may run more than once: on
    /// SQLite when another body of the same commit fails (the others run again without it), on PostgreSQL after a
    /// serialization failure, a deadlock or a unique violation. It must therefore have no effect but through its
    /// session: no bytes written, no state changed outside the database.
    func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R
    /// The schema steps the database has applied, and those this build knows: the files core's first, then each
    /// module's the store was opened with.
    func migrationStatus() async throws -> [MigrationStatus]
    /// Where this store tells every process sharing it that tokens changed, if it can without a query (see
    /// `TokenChanges`); nil: each request reads its token.
    var tokenChanges: (any TokenChanges)? { get }
}

extension MetadataStore {
    public var tokenChanges: (any TokenChanges)? { nil }
}

/// A mark that every process sharing a database can read without a query and that changes whenever a token is
/// revoked, so that a process may trust what it read of a token while the mark stays the same.
public protocol TokenChanges: Sendable {
    /// The current mark; nil when it cannot be read (nothing may then be trusted).
    func mark() -> String?
    /// Changes the mark.
    func change() throws
}

/// Which schema steps (numbered from 1) of a module (`files`: the core's) a database has applied.
public struct MigrationStatus: Sendable, Equatable {
    public var module: String
    public var applied: [Int]
    public var known: Int

    /// The files core's module name.
    public static let core = "files"

    public init(module: String = MigrationStatus.core, applied: [Int], known: Int) {
        self.module = module
        self.applied = applied
        self.known = known
    }

    public var pending: [Int] { (0..<known).map { $0 + 1 }.filter { !applied.contains($0) } }
}

/// The operations a service may run inside `read` or `write`: the queries of every aggregate of the files
/// domain, each its own protocol (`Queries/`), composed.
public protocol MetadataSession: Sendable, LocationQueries, TokenQueries, BucketQueries, FileQueries, VersionQueries, UploadQueries,
    DerivativeQueries, FixityQueries, LeaseQueries, WorkerQueries, JobQueries
{
    func ping() async throws
}

extension MetadataSession {
    /// The queries of an attached module (`Q`: a protocol of the module's own), which the session gains from that
    /// module's store target; a store without them is a configuration error of the composition root.
    public func queries<Q>(_ type: Q.Type) throws -> Q {
        guard let queries = self as? Q else { throw StorageError(.failure, "The metadata store has no \(Q.self).") }
        return queries
    }
}

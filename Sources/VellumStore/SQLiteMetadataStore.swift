import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization
import VellumCore

/// The embedded metadata store: one SQLite file in WAL mode, one writer connection with group commit and a few
/// reader connections. Commits are durable (`synchronous = FULL`) before `write` returns.
public final class SQLiteMetadataStore: MetadataStore {
    /// A connection and the one thread that runs its statements and the transactions or reads made of them.
    private struct Lane {
        let connection: SQLiteConnection
        let pool: NIOThreadPool
        let executor: ThreadPoolExecutor
    }

    private let writerLane: Lane
    private let readerLanes: [Lane]
    private let writer: GroupCommitWriter
    private let nextReader = Atomic<Int>(0)
    public let tokenChanges: (any TokenChanges)?
    private let modules: [SchemaModule]

    /// Opens (creating if needed) the database at `path` and migrates it unless told not to.
    public static func open(
        path: String, logger: Logger, readers: Int = 2, migrate: Bool = true, modules: [SchemaModule] = []
    ) async throws -> SQLiteMetadataStore {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        // Every connection gets a thread of its own, on which its statements run, and the code between them too
        // (see `ThreadPoolExecutor`): a dedicated, warm thread makes each statement several times cheaper than
        // a hop to a shared pool busy with file I/O and back.
        func lane() async throws -> Lane {
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: pool, logger: logger, on: eventLoop)
            let db = connection.sql()
            try await db.raw("PRAGMA busy_timeout = 10000").run()
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = FULL").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            return Lane(connection: connection, pool: pool, executor: ThreadPoolExecutor(pool))
        }
        let writerLane = try await lane()
        if migrate { try await Schema.migrate(writerLane.connection.sql(), dialect: .sqlite, modules: modules) }
        var readerLanes: [Lane] = []
        for _ in 0..<max(readers, 1) { readerLanes.append(try await lane()) }
        return SQLiteMetadataStore(
            writer: writerLane, readers: readerLanes, tokenChanges: TokenMarkFile(databasePath: path), modules: modules)
    }

    private init(writer: Lane, readers: [Lane], tokenChanges: (any TokenChanges)?, modules: [SchemaModule]) {
        self.tokenChanges = tokenChanges
        self.modules = modules
        self.writerLane = writer
        self.readerLanes = readers
        self.writer = GroupCommitWriter(db: writer.connection.sql(), begin: "BEGIN IMMEDIATE", executor: writer.executor)
    }

    /// Runs `body` on a reader connection's thread, so several statements cost no more thread wake-ups than one.
    public func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        let lane = readerLanes[nextReader.add(1, ordering: .relaxed).oldValue % readerLanes.count]
        return try await Self.mappingFull {
            try await withTaskExecutorPreference(lane.executor) {
                try await body(SQLMetadataSession(db: lane.connection.sql(), dialect: .sqlite))
            }
        }
    }

    public func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        try await Self.mappingFull { try await writer.submit(body) }
    }

    /// A full disk (SQLITE_FULL) is a domain error (507), so that callers can tell it from other failures.
    static func mappingFull<R>(_ work: () async throws -> R) async throws -> R {
        do {
            return try await work()
        } catch let error as SQLiteError where error.reason == .full {
            throw StorageError.insufficientStorage("database: \(error.message)")
        }
    }

    public func migrationStatus() async throws -> [MigrationStatus] {
        try await Schema.status(readerLanes[0].connection.sql(), modules: modules)
    }

    /// Waits for graceful shutdown or cancellation, then closes the connections `open` made.
    public func run() async {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes the connections (for a store that was never run).
    public func close() async {
        for lane in readerLanes + [writerLane] {
            try? await lane.connection.close().get()  // the future: the async one does nothing in a cancelled task
            try? await lane.pool.shutdownGracefully()
        }
    }
}

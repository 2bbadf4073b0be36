import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization
import VellumCore

/// The embedded metadata store: one SQLite file in WAL mode, one writer connection with group commit and a few
/// reader connections. Commits are durable (`synchronous = FULL`) before `write` returns.
public final class SQLiteMetadataStore: MetadataStore {
    private let writerConnection: SQLiteConnection
    private let readerConnections: [SQLiteConnection]
    private let writer: GroupCommitWriter
    private let writerPool: NIOThreadPool
    private let nextReader = Atomic<Int>(0)

    /// Opens (creating if needed) and migrates the database at `path`.
    public static func open(path: String, threadPool: NIOThreadPool, logger: Logger, readers: Int = 2) async throws
        -> SQLiteMetadataStore
    {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        // The writer gets a thread of its own: every statement is a hop to this pool, and a dedicated, warm
        // thread makes those hops several times cheaper than a shared pool busy with file I/O.
        let writerPool = NIOThreadPool(numberOfThreads: 1)
        writerPool.start()
        func connect(_ pool: NIOThreadPool) async throws -> SQLiteConnection {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: pool, logger: logger, on: eventLoop)
            let db = connection.sql()
            try await db.raw("PRAGMA busy_timeout = 10000").run()
            try await db.raw("PRAGMA journal_mode = WAL").run()
            try await db.raw("PRAGMA synchronous = FULL").run()
            try await db.raw("PRAGMA foreign_keys = ON").run()
            return connection
        }
        let writerConnection = try await connect(writerPool)
        try await Schema.migrate(writerConnection.sql(), begin: "BEGIN IMMEDIATE")
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<max(readers, 1) { readerConnections.append(try await connect(threadPool)) }
        return SQLiteMetadataStore(writer: writerConnection, writerPool: writerPool, readers: readerConnections)
    }

    private init(writer: SQLiteConnection, writerPool: NIOThreadPool, readers: [SQLiteConnection]) {
        self.writerConnection = writer
        self.writerPool = writerPool
        self.readerConnections = readers
        self.writer = GroupCommitWriter(db: writer.sql(), begin: "BEGIN IMMEDIATE", executor: ThreadPoolExecutor(writerPool))
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        let index = nextReader.add(1, ordering: .relaxed).oldValue % readerConnections.count
        return try await body(SQLMetadataSession(db: readerConnections[index].sql()))
    }

    public func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        try await writer.submit(body)
    }

    public func shutdown() async {
        for connection in readerConnections + [writerConnection] {
            try? await connection.close()
        }
        try? await writerPool.shutdownGracefully()
    }
}

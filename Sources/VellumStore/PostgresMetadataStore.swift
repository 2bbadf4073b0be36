import Foundation
import Logging
import PostgresKit
import Synchronization
import VellumCore

/// The shared metadata store: PostgreSQL, for several daemons at once. Each write is one READ COMMITTED transaction
/// on a pooled connection. Writes to a bucket take its row lock first (`SQLMetadataSession.lockBucket`), so they run
/// one after the other as on SQLite's single writer; the rules that span rows are the database's (one head per key:
/// a unique index; sizes: `size = size + delta`). A transaction that loses a race anyway (a unique violation, a
/// serialization failure, a deadlock) is rolled back and run again, up to `attempts` times: writes only touch the
/// database, so running one again is safe, and the second run sees the winner's commit.
///
/// Its connection pool (a `PostgresClient`) works while the store's `run()` runs, in the caller's service group.
public final class PostgresMetadataStore: MetadataStore {
    private let client: PostgresClient
    private let modules: [SchemaModule]
    static let attempts = 12

    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, `?sslmode=disable|prefer|
    /// require`, default prefer) and migrates it unless told not to, on a client of its own that is closed before
    /// this returns: the store's own pool runs later, in `run()`.
    public static func open(
        url: String, logger: Logger, connections: Int = 8, migrate: Bool = true, modules: [SchemaModule] = []
    ) async throws -> PostgresMetadataStore {
        let configuration = try configuration(url: url, connections: connections)
        var migrating = configuration
        migrating.options.maximumConnections = 1
        let opening = PostgresMetadataStore(client: PostgresClient(configuration: migrating, backgroundLogger: logger), modules: modules)
        do {
            try await opening.whileRunning {
                try await opening.withConnection { connection in
                    if migrate { try await Schema.migrate(connection.sql(), dialect: .postgres, modules: modules) }
                }
            }
        } catch {
            throw StorageError(.unavailable, "The PostgreSQL database could not be opened.", detail: String(reflecting: error))
        }
        return PostgresMetadataStore(client: PostgresClient(configuration: configuration, backgroundLogger: logger), modules: modules)
    }

    static func configuration(url: String, connections: Int) throws -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme),
            let user = parts.user
        else {
            throw ConfigurationError("Invalid database URL: expected postgres://user:password@host:port/database.")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        var configuration = PostgresClient.Configuration(
            host: parts.host ?? "127.0.0.1", port: parts.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: parts.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.maximumConnections = max(connections, 2)
        // pg_stat_activity tells which process holds a connection.
        configuration.options.additionalStartupParameters = [("application_name", "vellum \(ProcessInfo.processInfo.processIdentifier)")]
        return configuration
    }

    private init(client: PostgresClient, modules: [SchemaModule]) {
        self.client = client
        self.modules = modules
    }

    /// Runs the connection pool until graceful shutdown or cancellation.
    public func run() async {
        running.open()
        await client.run()
    }

    /// Waits until `run()` has started the pool: work that begins together with it (the daemon's start-up, a
    /// command's body) would lease before it, which works but makes PostgresNIO warn.
    private let running = Latch()

    private func withConnection<R: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> R) async throws -> R {
        await running.wait()
        return try await client.withConnection(body)
    }

    public func read<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        try await withConnection { connection in
            try await body(SQLMetadataSession(db: connection.sql(), dialect: .postgres))
        }
    }

    public func write<R: Sendable>(_ body: @escaping @Sendable (any MetadataSession) async throws -> R) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    let db = connection.sql()
                    try await db.raw("BEGIN").run()
                    do {
                        let result = try await body(SQLMetadataSession(db: db, dialect: .postgres, writing: true))
                        try await db.raw("COMMIT").run()
                        return result
                    } catch {
                        try? await db.raw("ROLLBACK").run()
                        throw error
                    }
                }
            } catch let error as PSQLError where Self.isConflict(error) && attempt < Self.attempts {
                attempt += 1
                // Back off a little, at random, so that the transactions that collided do not collide again.
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(500 << min(attempt, 6)))))
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "53100" {
                throw StorageError.insufficientStorage("database: \(error.serverInfo?[.message] ?? "disk full")")
            }
        }
    }

    /// Unique violation, serialization failure or deadlock: nothing was written, and running the transaction again
    /// may succeed (or fail for good, as a conditional write that lost should).
    static func isConflict(_ error: PSQLError) -> Bool {
        ["23505", "40001", "40P01"].contains(error.serverInfo?[.sqlState])
    }

    public func migrationStatus() async throws -> [MigrationStatus] {
        try await withConnection { [modules] in try await Schema.status($0.sql(), modules: modules) }
    }
}

/// A gate that opens once and stays open; waiting costs nothing once it is open.
private final class Latch: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        for waiter in state.withLock({ state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }) {
            waiter.resume()
        }
    }

    func wait() async {
        if state.withLock({ $0.open }) { return }
        await withCheckedContinuation { waiter in
            let open = state.withLock { state in
                if !state.open { state.waiters.append(waiter) }
                return state.open
            }
            if open { waiter.resume() }
        }
    }
}

import Foundation
import SQLKit
import VellumCore

extension SQLMetadataSession: FixityQueries {
    public func scheduleUncheckedFiles(now: Date, period: Duration, limit: Int) async throws -> Int {
        let ids = try await db.raw(
            "SELECT id FROM files WHERE next_check_at IS NULL AND NOT deleting LIMIT \(bind: limit)"
        ).all().map { try $0.decode(column: "id", as: String.self) }
        let span = max(period.micros, 1)
        for id in ids {
            try await db.raw(
                "UPDATE files SET next_check_at = \(bind: now.micros + Int64.random(in: 0..<span)) WHERE id = \(bind: id)"
            ).run()
        }
        return ids.count
    }

    public func claimDueFiles(now: Date, leaseUntil: Date, limit: Int) async throws -> [FileInstance] {
        let files = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM files f
            WHERE NOT f.deleting AND f.next_check_at <= \(bind: now.micros)
                AND (f.check_lease_until IS NULL OR f.check_lease_until < \(bind: now.micros))
            ORDER BY f.next_check_at LIMIT \(bind: limit)\(unsafeRaw: dialect.claimFiles)
            """
        ).all().compactMap { try Self.file(from: $0) }
        guard !files.isEmpty else { return [] }
        let ids = SQLList(files.map { SQLBind($0.id.lowercased) })
        try await db.raw("UPDATE files SET check_lease_until = \(bind: leaseUntil.micros) WHERE id IN (\(ids))").run()
        return files
    }

    public func recordCheck(_ c: FixityCheck, next: Date) async throws {
        try await db.raw(
            """
            UPDATE files SET last_check_at = \(bind: c.checkedAt.micros), last_check = \(bind: c.outcome == .passed),
                next_check_at = \(bind: next.micros), check_lease_until = NULL
            WHERE id = \(bind: c.fileID.lowercased)
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO fixity_checks (id, file_id, run_id, checked_at, outcome, expected_size, expected_md5,
                expected_sha256, actual_size, actual_md5, actual_sha256, detail, duration_us, bytes)
            VALUES (\(bind: c.id.lowercased), \(bind: c.fileID.lowercased), \(bind: c.runID?.lowercased),
                \(bind: c.checkedAt.micros), \(bind: c.outcome.rawValue), \(bind: c.expected.size),
                \(bind: c.expected.md5), \(bind: c.expected.sha256), \(bind: c.actual.size), \(bind: c.actual.md5),
                \(bind: c.actual.sha256), \(bind: c.detail), \(bind: c.duration.micros), \(bind: c.bytes))
            """
        ).run()
    }

    // The files table is walked by its primary key (or `next_check_at`), never through the index of `deleting`
    // (hence `NOT deleting`, which no index serves): through that index every page would read and sort all files.
    // A bucket's files are walked through `object_versions_by_bucket_file`, so a run over a small bucket costs the
    // same in a store of any size.

    /// `FROM ... WHERE` over the files `f` in scope, not being deleted and not checked since `since`, and the column
    /// that walks them in index order. A file that two versions of a bucket share comes twice, side by side.
    private static func unchecked(_ bucketID: UUID?, since: Date) -> (from: SQLQueryString, order: String) {
        let recent: SQLQueryString = "NOT f.deleting AND (f.last_check_at IS NULL OR f.last_check_at < \(bind: since.micros))"
        guard let bucketID else { return ("files f WHERE \(recent)", "f.id") }
        return (
            """
            object_versions v JOIN files f ON f.id = v.file_id
            WHERE v.bucket_id = \(bind: bucketID.lowercased) AND \(recent)
            """,
            "v.file_id"
        )
    }

    public func filesToCheck(bucketID: UUID?, notCheckedSince since: Date, after afterID: UUID?, limit: Int) async throws
        -> [FileInstance]
    {
        let (from, order) = Self.unchecked(bucketID, since: since)
        let after: SQLQueryString = afterID.map { " AND \(unsafeRaw: order) > \(bind: $0.lowercased)" } ?? ""
        let rows = try await db.raw(
            """
            SELECT \(unsafeRaw: Self.fileColumns) FROM \(from)\(after) ORDER BY \(unsafeRaw: order) LIMIT \(bind: limit)
            """
        ).all()
        var files: [FileInstance] = []
        for row in rows {
            if let file = try Self.file(from: row), files.last?.id != file.id { files.append(file) }
        }
        return files
    }

    public func countFilesToCheck(bucketID: UUID?, notCheckedSince since: Date) async throws -> (files: Int, bytes: Int64) {
        guard
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS n, COALESCE(CAST(SUM(size) AS BIGINT), 0) AS b
                FROM (SELECT DISTINCT f.id, f.size FROM \(Self.unchecked(bucketID, since: since).from)) unchecked
                """
            ).first()
        else { return (0, 0) }
        return (try row.decode(column: "n", as: Int.self), try row.decode(column: "b", as: Int64.self))
    }

    public func failedFileCount(bucketID: UUID?) async throws -> Int {
        let scope: SQLQueryString =
            bucketID.map {
                " AND EXISTS (SELECT 1 FROM object_versions v WHERE v.file_id = f.id AND v.bucket_id = \(bind: $0.lowercased))"
            } ?? ""
        return try await db.raw(
            "SELECT COUNT(*) AS n FROM files f WHERE f.last_check = FALSE AND NOT f.deleting\(scope)"
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func openRun(bucketID: UUID?) async throws -> FixityRun? {
        let scope: SQLQueryString = bucketID.map { "bucket_id = \(bind: $0.lowercased)" } ?? "bucket_id IS NULL"
        return try await db.raw(
            "SELECT * FROM fixity_runs WHERE finished IS NULL AND \(scope) ORDER BY started DESC LIMIT 1"
        ).first().map(Self.run(from:))
    }

    public func insertRun(_ run: FixityRun) async throws {
        try await db.raw(
            """
            INSERT INTO fixity_runs (id, bucket_id, started, finished)
            VALUES (\(bind: run.id.lowercased), \(bind: run.bucketID?.lowercased), \(bind: run.started.micros),
                \(bind: run.finished?.micros))
            """
        ).run()
    }

    public func finishRun(_ id: UUID, at date: Date) async throws {
        try await db.raw("UPDATE fixity_runs SET finished = \(bind: date.micros) WHERE id = \(bind: id.lowercased)").run()
    }

    public func lastRun() async throws -> FixityRun? {
        try await db.raw("SELECT * FROM fixity_runs ORDER BY started DESC LIMIT 1").first().map(Self.run(from:))
    }

    public func fixityTotals(now: Date, periodStart: Date, recentSince: Date) async throws -> FixityTotals {
        var totals = FixityTotals()
        if let row = try await db.raw(
            """
            SELECT COUNT(*) AS files, COALESCE(CAST(SUM(size) AS BIGINT), 0) AS bytes,
                COALESCE(SUM(CASE WHEN last_check_at >= \(bind: periodStart.micros) THEN 1 ELSE 0 END), 0) AS verified,
                COALESCE(SUM(CASE WHEN last_check_at IS NULL THEN 1 ELSE 0 END), 0) AS never,
                COALESCE(SUM(CASE WHEN next_check_at < \(bind: now.micros) THEN 1 ELSE 0 END), 0) AS overdue,
                MIN(next_check_at) AS first_due,
                COALESCE(SUM(CASE WHEN last_check = FALSE THEN 1 ELSE 0 END), 0) AS failures,
                MAX(last_check_at) AS last_check_at
            FROM files WHERE NOT deleting
            """
        ).first() {
            totals.files = try row.decode(column: "files", as: Int.self)
            totals.bytes = try row.decode(column: "bytes", as: Int64.self)
            totals.verifiedInPeriod = try row.decode(column: "verified", as: Int.self)
            totals.neverChecked = try row.decode(column: "never", as: Int.self)
            totals.overdue = try row.decode(column: "overdue", as: Int.self)
            totals.oldestDue = try row.decode(column: "first_due", as: Int64?.self).map(Date.micros)
            totals.failures = try row.decode(column: "failures", as: Int.self)
            totals.lastCheckAt = try row.decode(column: "last_check_at", as: Int64?.self).map(Date.micros)
        }
        if let row = try await db.raw(
            """
            SELECT COUNT(*) AS n, COALESCE(CAST(SUM(bytes) AS BIGINT), 0) AS b, COALESCE(CAST(SUM(duration_us) AS BIGINT), 0) AS d FROM fixity_checks
            WHERE checked_at >= \(bind: recentSince.micros)
            """
        ).first() {
            totals.recentFiles = try row.decode(column: "n", as: Int.self)
            totals.recentBytes = try row.decode(column: "b", as: Int64.self)
            totals.recentMicros = try row.decode(column: "d", as: Int64.self)
        }
        return totals
    }

    public func earliestScheduledCheck() async throws -> Date? {
        let micros = try await db.raw(
            "SELECT next_check_at FROM files WHERE next_check_at IS NOT NULL AND NOT deleting ORDER BY next_check_at LIMIT 1"
        ).first()?.decode(column: "next_check_at", as: Int64.self)
        return micros.map(Date.micros)
    }

    public func fixityFailures() async throws -> [FixityFailure] {
        try await db.raw(
            """
            SELECT v.bucket_id AS v_bucket_id, v.key AS v_key, v.version_id AS v_version_id, c.* FROM files f
            JOIN object_versions v ON v.file_id = f.id
            JOIN fixity_checks c ON c.file_id = f.id AND c.checked_at = f.last_check_at
            WHERE f.last_check = FALSE AND NOT f.deleting
            ORDER BY v.bucket_id, v.key, v.created
            """
        ).all().map { row in
            FixityFailure(
                bucketID: try row.decodeUUID(column: "v_bucket_id"), key: try row.decode(column: "v_key", as: String.self),
                versionID: try row.decodeUUID(column: "v_version_id"), check: try Self.check(from: row))
        }
    }

    public func fixityHistory(since: Date, after: FixityCheck?, limit: Int) async throws -> [FixityCheck] {
        let page: SQLQueryString =
            after.map { " AND (checked_at, id) > (\(bind: $0.checkedAt.micros), \(bind: $0.id.lowercased))" } ?? ""
        return try await db.raw(
            """
            SELECT * FROM fixity_checks WHERE checked_at >= \(bind: since.micros)\(page) ORDER BY checked_at, id
            LIMIT \(bind: limit)
            """
        ).all().map(Self.check(from:))
    }

    static func run(from row: any SQLRow) throws -> FixityRun {
        FixityRun(
            id: try row.decodeUUID(column: "id"),
            bucketID: try row.decode(column: "bucket_id", as: String?.self).flatMap { UUID(uuidString: $0) },
            started: .micros(try row.decode(column: "started", as: Int64.self)),
            finished: try row.decode(column: "finished", as: Int64?.self).map(Date.micros))
    }

    static func check(from row: any SQLRow) throws -> FixityCheck {
        FixityCheck(
            id: try row.decodeUUID(column: "id"), fileID: try row.decodeUUID(column: "file_id"),
            runID: try row.decode(column: "run_id", as: String?.self).flatMap { UUID(uuidString: $0) },
            checkedAt: .micros(try row.decode(column: "checked_at", as: Int64.self)),
            outcome: FixityOutcome(rawValue: try row.decode(column: "outcome", as: String.self)) ?? .unreadable,
            expected: FixityDigests(
                size: try row.decode(column: "expected_size", as: Int64?.self),
                md5: try row.decode(column: "expected_md5", as: String?.self),
                sha256: try row.decode(column: "expected_sha256", as: String?.self)),
            actual: FixityDigests(
                size: try row.decode(column: "actual_size", as: Int64?.self),
                md5: try row.decode(column: "actual_md5", as: String?.self),
                sha256: try row.decode(column: "actual_sha256", as: String?.self)),
            detail: try row.decode(column: "detail", as: String?.self),
            duration: .microseconds(try row.decode(column: "duration_us", as: Int64.self)),
            bytes: try row.decode(column: "bytes", as: Int64.self))
    }
}

extension Duration {
    /// Whole microseconds.
    var micros: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}

import Foundation
import SQLKit
import VellumCore
import VellumRecords
import VellumStore

/// `pids`, `pid_events` and `doi_tasks`.
extension SQLMetadataSession: PIDQueries {
    public func pid(_ reference: PID.Reference) async throws -> PID? {
        try await db.raw(
            "SELECT * FROM pids WHERE scheme = \(bind: reference.scheme.rawValue) AND value = \(bind: reference.value)\(unsafeRaw: rowLock)"
        ).first().map(Self.pid(from:))
    }

    public func pids(of object: PID.Object, _ id: Int64) async throws -> [PID] {
        try await db.raw(
            "SELECT * FROM pids WHERE object_type = \(bind: object.rawValue) AND object_id = \(bind: id) ORDER BY scheme, value"
        ).all().map(Self.pid(from:))
    }

    public func pids(of object: PID.Object, _ ids: [Int64]) async throws -> [PID] {
        guard !ids.isEmpty else { return [] }
        return try await db.raw(
            "SELECT * FROM pids WHERE object_type = \(bind: object.rawValue) AND object_id IN (\(binds: ids)) ORDER BY scheme, value"
        ).all().map(Self.pid(from:))
    }

    public func insertPID(_ pid: PID) async throws -> Bool {
        let rows = try await db.raw(
            """
            INSERT INTO pids (scheme, value, status, object_type, object_id, redirect_scheme, redirect_value, created, updated)
            VALUES (\(bind: pid.scheme.rawValue), \(bind: pid.value), \(bind: pid.status.rawValue), \(bind: pid.object.rawValue),
                    \(bind: pid.objectID), \(bind: pid.redirect?.scheme.rawValue), \(bind: pid.redirect?.value),
                    \(bind: pid.created.micros), \(bind: pid.updated.micros))
            ON CONFLICT (scheme, value) DO NOTHING RETURNING value
            """
        ).all()
        return !rows.isEmpty
    }

    public func updatePID(_ pid: PID) async throws {
        try await db.raw(
            """
            UPDATE pids SET status = \(bind: pid.status.rawValue), redirect_scheme = \(bind: pid.redirect?.scheme.rawValue),
                redirect_value = \(bind: pid.redirect?.value), updated = \(bind: pid.updated.micros)
            WHERE scheme = \(bind: pid.scheme.rawValue) AND value = \(bind: pid.value)
            """
        ).run()
    }

    public func insertPIDEvent(_ event: PIDEvent) async throws {
        try await db.raw(
            """
            INSERT INTO pid_events (scheme, value, at, event, detail)
            VALUES (\(bind: event.pid.scheme.rawValue), \(bind: event.pid.value), \(bind: event.at.micros), \(bind: event.event),
                    \(bind: event.detail))
            """
        ).run()
    }

    public func pidEvents(_ reference: PID.Reference) async throws -> [PIDEvent] {
        try await db.raw(
            """
            SELECT * FROM pid_events WHERE scheme = \(bind: reference.scheme.rawValue) AND value = \(bind: reference.value)
            ORDER BY at
            """
        ).all().map { row in
            PIDEvent(
                pid: reference, at: .micros(try row.decode(column: "at", as: Int64.self)), event: try row.decode(column: "event", as: String.self),
                detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    public func requestDOITask(_ doi: String, at: Date) async throws {
        try await db.raw(
            """
            INSERT INTO doi_tasks (doi, state, due, attempts, last_error, generation)
            VALUES (\(bind: doi), 'pending', \(bind: at.micros), 0, NULL, 1)
            ON CONFLICT (doi) DO UPDATE SET state = 'pending', due = \(bind: at.micros), attempts = 0,
                generation = doi_tasks.generation + 1
            """
        ).run()
    }

    public func doiTask(_ doi: String) async throws -> DOITask? {
        try await db.raw("SELECT * FROM doi_tasks WHERE doi = \(bind: doi)").first().map(Self.task(from:))
    }

    public func doiTasks(_ dois: [String]) async throws -> [DOITask] {
        guard !dois.isEmpty else { return [] }
        return try await db.raw("SELECT * FROM doi_tasks WHERE doi IN (\(binds: dois))").all().map(Self.task(from:))
    }

    public func doiTasks(_ state: DOITask.State, dueBy: Date?, after: String, limit: Int) async throws -> [DOITask] {
        try await db.raw(
            """
            SELECT * FROM doi_tasks WHERE state = \(bind: state.rawValue) AND due <= \(bind: dueBy?.micros ?? Int64.max)
                AND doi > \(bind: after) ORDER BY doi LIMIT \(bind: limit)
            """
        ).all().map(Self.task(from:))
    }

    public func claimDOITask(_ task: DOITask, until: Date) async throws -> Bool {
        let rows = try await db.raw(
            """
            UPDATE doi_tasks SET due = \(bind: until.micros), attempts = attempts + 1
            WHERE doi = \(bind: task.doi) AND generation = \(bind: task.generation) AND due = \(bind: task.due.micros)
                AND state = 'pending'
            RETURNING doi
            """
        ).all()
        return !rows.isEmpty
    }

    public func finishDOITask(_ task: DOITask, done: Bool) async throws {
        if done {
            try await db.raw("DELETE FROM doi_tasks WHERE doi = \(bind: task.doi) AND generation = \(bind: task.generation)").run()
            return
        }
        try await db.raw(
            """
            UPDATE doi_tasks SET state = \(bind: task.state.rawValue), due = \(bind: task.due.micros),
                attempts = \(bind: task.attempts), last_error = \(bind: task.lastError)
            WHERE doi = \(bind: task.doi) AND generation = \(bind: task.generation)
            """
        ).run()
    }

    static func pid(from row: any SQLRow) throws -> PID {
        guard let scheme = PID.Scheme(rawValue: try row.decode(column: "scheme", as: String.self)),
            let status = PID.Status(rawValue: try row.decode(column: "status", as: String.self)),
            let object = PID.Object(rawValue: try row.decode(column: "object_type", as: String.self))
        else { throw StorageError(.failure, "Corrupt PID row.") }
        let redirect = try row.decode(column: "redirect_scheme", as: String?.self).flatMap(PID.Scheme.init(rawValue:)).map {
            PID.Reference($0, try row.decode(column: "redirect_value", as: String?.self) ?? "")
        }
        return PID(
            PID.Reference(scheme, try row.decode(column: "value", as: String.self)), status: status, object: object,
            objectID: try row.decode(column: "object_id", as: Int64.self), redirect: redirect,
            created: .micros(try row.decode(column: "created", as: Int64.self)), updated: .micros(try row.decode(column: "updated", as: Int64.self)))
    }

    static func task(from row: any SQLRow) throws -> DOITask {
        guard let state = DOITask.State(rawValue: try row.decode(column: "state", as: String.self)) else {
            throw StorageError(.failure, "Corrupt DOI task row.")
        }
        return DOITask(
            doi: try row.decode(column: "doi", as: String.self), state: state, due: .micros(try row.decode(column: "due", as: Int64.self)),
            attempts: try row.decode(column: "attempts", as: Int.self), lastError: try row.decode(column: "last_error", as: String?.self),
            generation: try row.decode(column: "generation", as: Int.self))
    }
}

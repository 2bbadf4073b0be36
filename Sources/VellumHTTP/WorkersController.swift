import Hummingbird
import VellumCore
import VellumHTTPSupport

/// `GET /workers` (admin): this daemon's background workers, what each is doing and has done since it started.
struct WorkersController {
    let statuses: @Sendable () -> [WorkerStatus]

    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("/workers") { _, context in
            try context.principal.requireAdmin()
            let workers = statuses()
            return JSONResponse.make(status: .ok) { json in
                json.object { json in
                    json.key("total")
                    json.int(workers.count)
                    json.key("workers")
                    json.array(workers) { json, worker in json.worker(worker) }
                }
            }
        }
        return routes
    }
}

extension JSONWriter {
    mutating func worker(_ w: WorkerStatus) {
        object { json in
            json.key("name")
            json.string(w.name)
            json.key("daemon")
            json.string(w.holder)
            json.key("state")
            json.string(w.state.rawValue)
            json.key("interval_seconds")
            json.double(w.interval.seconds)
            json.key("passes")
            json.int(w.passes)
            json.key("items")
            json.int(w.items)
            json.key("last_started")
            json.timestamp(w.lastStarted)
            json.key("last_finished")
            json.timestamp(w.lastFinished)
            json.key("last_error")
            json.string(w.lastError)
            json.key("checkpoint")
            json.string(w.checkpoint)
        }
    }
}

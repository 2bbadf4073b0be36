import Hummingbird
import VellumCore
import VellumHTTPSupport

/// `GET /fixity` (the audit state) and `GET /fixity/failures`, for administrators only.
struct FixityController {
    let fixity: FixityService
    let period: Duration

    var routes: RouteCollection<VellumRequestContext> {
        let routes = RouteCollection(context: VellumRequestContext.self)
        routes.get("/fixity") { _, context in
            try context.principal.requireAdmin()
            let status = try await fixity.status(period: period)
            return JSONResponse.make(status: .ok) { json in json.fixityStatus(status) }
        }
        routes.get("/fixity/failures") { _, context in
            try context.principal.requireAdmin()
            let failures = try await fixity.failures()
            return JSONResponse.make(status: .ok) { json in
                json.object { json in
                    json.key("total")
                    json.int(failures.count)
                    json.key("failures")
                    json.array(failures) { json, failure in json.fixityFailure(failure) }
                }
            }
        }
        return routes
    }
}

extension JSONWriter {
    mutating func fixityStatus(_ s: FixityStatus) {
        let t = s.totals
        object { json in
            json.key("period_seconds")
            json.double(s.period.seconds)
            json.key("files")
            json.int(t.files)
            json.key("bytes")
            json.int(t.bytes)
            json.key("verified_in_period")
            json.int(t.verifiedInPeriod)
            json.key("never_checked")
            json.int(t.neverChecked)
            json.key("overdue")
            json.int(t.overdue)
            json.key("lag_seconds")
            json.double(s.lag.seconds)
            json.key("failures")
            json.int(t.failures)
            json.key("last_check_at")
            json.timestamp(t.lastCheckAt)
            json.key("last_run")
            if let run = s.lastRun {
                json.object { json in
                    json.key("id")
                    json.string(run.id.lowercased)
                    json.key("bucket")
                    json.string(run.bucketID?.lowercased)
                    json.key("started")
                    json.timestamp(run.started)
                    json.key("finished")
                    json.timestamp(run.finished)
                }
            } else {
                json.null()
            }
            json.key("last_hour")
            json.object { json in
                json.key("files")
                json.int(t.recentFiles)
                json.key("bytes")
                json.int(t.recentBytes)
                json.key("check_seconds")
                json.double(Double(t.recentMicros) / 1e6)
            }
        }
    }

    mutating func fixityFailure(_ f: FixityFailure) {
        object { json in
            json.key("bucket")
            json.string(f.bucketID.lowercased)
            json.key("key")
            json.string(f.key)
            json.key("version_id")
            json.string(f.versionID.lowercased)
            json.key("file_id")
            json.string(f.check.fileID.lowercased)
            json.key("outcome")
            json.string(f.check.outcome.rawValue)
            json.key("expected")
            json.digests(f.check.expected)
            json.key("actual")
            json.digests(f.check.actual)
            json.key("checked_at")
            json.timestamp(f.check.checkedAt)
            json.key("detail")
            json.string(f.check.detail)
        }
    }

    mutating func digests(_ d: FixityDigests) {
        object { json in
            json.key("size")
            json.int(d.size)
            json.key("md5")
            json.string(d.md5)
            json.key("sha256")
            json.string(d.sha256)
        }
    }
}

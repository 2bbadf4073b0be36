import Prometheus
import Synchronization
import VellumCore

/// The daemon's Prometheus metrics, in their own registry (rendered by `GET /metrics`).
public final class VellumMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let bytesIn: Counter
    let bytesOut: Counter
    let uploadsInFlight: Gauge
    let fixityBytes: Counter
    /// How long the oldest past-due fixity check has waited.
    public let fixityLag: Gauge
    /// Files whose bytes maintenance deleted (those a request could not delete itself).
    public let purgedFiles: Counter
    /// The per-route metrics made so far: the registry builds each one's name and searches for it on every call.
    private let byRoute = Mutex<[String: (requests: Counter, latency: DurationHistogram)]>([:])

    public init() {
        bytesIn = registry.makeCounter(
            descriptor: Self.name("http_request_body", unit: "bytes_total", help: "Bytes received in request bodies."))
        bytesOut = registry.makeCounter(
            descriptor: Self.name("http_response_body", unit: "bytes_total", help: "Bytes sent in response bodies."))
        uploadsInFlight = registry.makeGauge(
            descriptor: Self.name("uploads", unit: "in_flight", help: "Uploads being received now."))
        fixityBytes = registry.makeCounter(
            descriptor: Self.name("fixity_verified", unit: "bytes_total", help: "Bytes read back by fixity checks."))
        fixityLag = registry.makeGauge(
            descriptor: Self.name("fixity_lag", unit: "seconds", help: "How long the oldest past-due check has waited."))
        purgedFiles = registry.makeCounter(
            descriptor: Self.name("maintenance_purged_files", unit: "total", help: "Deleted files whose bytes maintenance removed."))
    }

    /// Counts a fixity check by outcome, and its bytes.
    public func fixityChecked(_ check: FixityCheck) {
        registry.makeCounter(
            descriptor: Self.name("fixity_checks", unit: "total", help: "Fixity checks by outcome."),
            labels: [("outcome", check.outcome.rawValue)]
        ).increment()
        fixityBytes.increment(by: check.bytes)
    }

    /// Counts a connection closed for running out of time, by the limit it ran past.
    public func connectionTimedOut(_ reason: String) {
        registry.makeCounter(
            descriptor: Self.name("connections_timed_out", unit: "total", help: "Connections closed by a time limit, by limit."),
            labels: [("limit", reason)]
        ).increment()
    }

    /// Counts one request and its latency.
    func record(method: String, route: String, status: Int, latency: Duration) {
        let key = "\(method) \(route) \(status)"
        let metrics = byRoute.withLock { made in
            if let metrics = made[key] { return metrics }
            let metrics = (requests: requests(method: method, route: route, status: status), latency: self.latency(method: method, route: route))
            made[key] = metrics
            return metrics
        }
        metrics.requests.increment()
        metrics.latency.record(latency)
    }

    private func requests(method: String, route: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests served."),
            labels: [("method", method), ("route", route), ("status", String(status))])
    }

    private func latency(method: String, route: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: Self.name("http_request_duration", unit: "seconds", help: "Time to produce the response head."),
            labels: [("method", method), ("route", route)],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                .seconds(2), .seconds(10), .seconds(60),
            ])
    }

    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vellum", metricName: metric, unitName: unit, helpText: help)
    }

    /// The text exposition format.
    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

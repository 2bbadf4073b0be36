import Prometheus

/// The daemon's Prometheus metrics, in their own registry (rendered by `GET /metrics`).
public final class VellumMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let bytesIn: Counter
    let bytesOut: Counter
    let uploadsInFlight: Gauge

    public init() {
        bytesIn = registry.makeCounter(
            descriptor: Self.name("http_request_body", unit: "bytes_total", help: "Bytes received in request bodies."))
        bytesOut = registry.makeCounter(
            descriptor: Self.name("http_response_body", unit: "bytes_total", help: "Bytes sent in response bodies."))
        uploadsInFlight = registry.makeGauge(
            descriptor: Self.name("uploads", unit: "in_flight", help: "Uploads being received now."))
    }

    func requests(method: String, route: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests served."),
            labels: [("method", method), ("route", route), ("status", String(status))])
    }

    func latency(method: String, route: String) -> DurationHistogram {
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

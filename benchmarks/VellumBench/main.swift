// Small-object load generator for benchmarks/run.sh: N PUTs of SIZE bytes, then N GETs (bodies compared), with
// CONCURRENCY clients, then a page-by-page listing of the bucket. Prints `name: value unit` lines. BASE_URL may name
// several daemons of one service, comma-separated (benchmarks/postgres.sh).
// VELLUM_BENCH_PHASES (default `put,get,list`) picks phases, for profiling one at a time. The GETs are made
// VELLUM_BENCH_GET_PASSES times (default 5) and their rate is the median pass's: one pass lasts under a second, and
// single passes of the same build varied by 30 %.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

@main
struct VellumBench {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count >= 4 else {
            print("usage: vellum-bench BASE_URL TOKEN BUCKET [N] [SIZE] [CONCURRENCY] [LIST_REPS]")
            return
        }
        let base = args[1]
        let token = args[2]
        let bucket = args[3]
        let n = args.count > 4 ? Int(args[4]) ?? 2000 : 2000
        let size = args.count > 5 ? Int(args[5]) ?? 4096 : 4096
        let concurrency = args.count > 6 ? Int(args[6]) ?? 8 : 8
        let listReps = args.count > 7 ? Int(args[7]) ?? 20 : 20
        let phases = Set((ProcessInfo.processInfo.environment["VELLUM_BENCH_PHASES"] ?? "put,get,list").split(separator: ","))
        let bodies = (0..<n).map { i -> [UInt8] in
            var generator = SplitMix(seed: UInt64(i))
            return (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        // BASE may list several daemons, comma-separated: objects are spread over them round-robin.
        let bases = base.split(separator: ",").map(String.init)
        let url = "\(bases[0])/files/\(bucket)"
        let urls = (0..<n).map { "\(bases[$0 % bases.count])/files/\(bucket)/small/\(String(format: "%05d", $0))" }

        @Sendable func request(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> (Int, ByteBuffer) {
            var request = HTTPClientRequest(url: path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/octet-stream")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await client.execute(request, timeout: .seconds(60))
            return (Int(response.status.code), try await response.body.collect(upTo: 64 << 20))
        }

        let getPasses = Int(ProcessInfo.processInfo.environment["VELLUM_BENCH_GET_PASSES"] ?? "") ?? 5

        @Sendable func phase(_ name: String, passes: Int = 1, _ one: @escaping @Sendable (Int) async throws -> Bool) async throws {
            var rates: [Double] = []
            var errors = 0
            for _ in 0..<passes {
                let (rate, failed) = try await pass(one)
                rates.append(rate)
                errors += failed
            }
            let tag = "small_\(name)_\(n)x\(size / 1024)KiB_c\(concurrency)"
            print("\(tag)_rate: \(String(format: "%.1f", rates.sorted()[rates.count / 2])) objects/s")
            print("\(tag)_errors: \(errors) count")
        }

        /// One request for each of the N objects; the rate (objects/s) and the number of failures.
        @Sendable func pass(_ one: @escaping @Sendable (Int) async throws -> Bool) async throws -> (Double, Int) {
            let counter = Tickets()
            let start = ContinuousClock.now
            let errors = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var errors = 0
                        while case let i = counter.next.add(1, ordering: .relaxed).oldValue, i < n {
                            if try await !one(i) { errors += 1 }
                        }
                        return errors
                    }
                }
                return try await group.reduce(0, +)
            }
            let seconds =
                Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - start).components.seconds)
            return (Double(n) / seconds, errors)
        }

        if phases.contains("put") {
            try await phase("put") { i in
                try await request(.PUT, urls[i], body: bodies[i]).0 == 200
            }
        }
        if phases.contains("get") {
            try await phase("get", passes: getPasses) { i in
                let (status, body) = try await request(.GET, urls[i])
                return status == 200 && Array(buffer: body) == bodies[i]
            }
        }
        guard phases.contains("list"), listReps > 0 else { return try await client.shutdown() }

        // Only the requests are timed (as the peer times its listing); the client's JSON parsing is not.
        var times: [Double] = []
        var items = 0
        for _ in 0..<listReps {
            var elapsed = Duration.zero
            var next: String? = "\(url)?size=1000"
            items = 0
            while let page = next {
                let start = ContinuousClock.now
                let (status, body) = try await request(.GET, page)
                elapsed += ContinuousClock.now - start
                guard status == 200,
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                else { throw BenchError("listing failed: \(status)") }
                items += (json["contents"] as? [Any])?.count ?? 0
                next = (json["links"] as? [String: Any])?["next"] as? String
            }
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        times.sort()
        print("list_\(n)_all_pages_median: \(String(format: "%.2f", times[times.count / 2])) ms")
        print("list_\(n)_returned_items: \(items) count")
        try await client.shutdown()
    }
}

/// The next request index, shared by the clients.
final class Tickets: Sendable {
    let next = Atomic<Int>(0)
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

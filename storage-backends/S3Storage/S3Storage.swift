import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VellumCore

/// Blobs in an S3 bucket (AWS, Ceph RGW, MinIO, …) under the location's prefix:
///
/// - `blobs/<id>`: a blob's bytes, written once at its final key (S3 has no rename); uploads over one part size
///   are native multipart uploads.
/// - `pending/<id>`: a marker stored before a blob's first byte and deleted by `settle`: what start-up recovery
///   and `vellum gc` see as pending. Its body names the run (process) writing it and, for Vellum's multipart
///   uploads, the S3 upload id.
/// - `runs/<run>`: the heartbeats of the processes writing (`S3Runs`).
public final class S3Storage: StorageBackend {
    let client: S3Client
    let runs: S3Runs
    /// Blobs this process is writing now, and the markers this process wrote (their run and upload id); markers
    /// written by other processes are read afresh each time (they change: an upload id is added, an id reappears
    /// after a migration back).
    private let state = Mutex(State())
    private struct State {
        var live: Set<UUID> = []
        var markers: [UUID: Marker] = [:]
        var healthy: ContinuousClock.Instant?
    }

    struct Marker: Sendable {
        var run: String
        var upload: String?
    }

    /// - Parameters:
    ///   - name: the Vellum location's name, for errors.
    ///   - runsDirectory: where this machine's processes keep their run lock files (see `S3Runs`).
    public init(
        name: String, location: S3Location, credentials: S3Signer.Credentials, http: HTTPClient, runsDirectory: String?
    ) {
        client = S3Client(location: location, credentials: credentials, http: http, name: name)
        runs = S3Runs(directory: runsDirectory)
    }

    public var readsPendingParts: Bool { false }

    static func blobKey(_ id: UUID) -> String { "blobs/\(id.lowercased)" }
    static func markerKey(_ id: UUID) -> String { "pending/\(id.lowercased)" }

    public func create(_ id: UUID) async throws -> any BlobWriter {
        try await putMarker(id, Marker(run: runs.id))
        return S3BlobWriter(storage: self, id: id)
    }

    public func open(_ id: UUID, range: Range<Int64>?) async throws -> any BlobReader {
        var headers: [(String, String)] = []
        if let range {
            if range.isEmpty { return S3BlobReader(body: nil) }
            let last = range.upperBound == .max ? "" : "\(range.upperBound - 1)"
            headers.append(("range", "bytes=\(range.lowerBound)-\(last)"))
        }
        let key = Self.blobKey(id)
        let response = try await client.streamRetrying(.GET, key: key, headers: headers)
        switch response.status.code {
        case 200, 206: return S3BlobReader(body: response.body)
        case 416: return S3BlobReader(body: nil)  // a range from the end of the blob on
        case 404: throw StorageError.blobMissing("s3://\(client.location.bucket)/\(client.location.prefix)\(key)")
        default:
            let body = try await response.body.collect(upTo: 64 << 10)
            throw Self.failure("GET \(key)", S3Client.Response(status: Int(response.status.code), headers: response.headers, body: body))
        }
    }

    public func settle(_ id: UUID) async throws {
        try await delete(key: Self.markerKey(id))
        forget(id)
    }

    /// A settled blob (the usual case) has no marker: one GET finds that, and only the blob is deleted.
    public func delete(_ id: UUID) async throws {
        let marker = try await marker(id)
        if let upload = marker?.upload {
            try await abortUpload(id, upload)
        }
        try await delete(key: Self.blobKey(id))
        if marker != nil { try await delete(key: Self.markerKey(id)) }
        forget(id)
    }

    public func pendingBlobs() async throws -> [UUID] {
        var ids: [UUID] = []
        for try await batch in list("pending/") { ids += batch.compactMap { UUID(uuidString: $0.name) } }
        return ids
    }

    public func abandonedBlobs() async throws -> [UUID] {
        var abandoned: [UUID] = []
        var dead: [String: Bool] = [:]
        for id in try await pendingBlobs() where !state.withLock({ $0.live.contains(id) }) {
            guard let marker = try await marker(id) else { continue }  // settled meanwhile
            if marker.run == runs.id {
                abandoned.append(id)  // this process's, and no longer being written
            } else {
                if dead[marker.run] == nil { dead[marker.run] = try await runs.isDead(marker.run, client) }
                if dead[marker.run] == true { abandoned.append(id) }
            }
        }
        return abandoned
    }

    public func listBlobs() -> AsyncThrowingStream<[(id: UUID, size: Int64)], any Error> {
        let listing = list("blobs/")
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await batch in listing {
                        continuation.yield(batch.compactMap { item in UUID(uuidString: item.name).map { ($0, item.size) } })
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A HEAD of the bucket, each attempt answered within 5 s; a success is trusted for a second (`/health` may be
    /// polled often).
    public func keepAlive() async throws { try await runs.renew(client) }

    public func checkHealth() async throws {
        try await headBucket()
    }

    /// Checks that objects can be written and deleted under the location's prefix (a new location's check).
    public func checkWritable() async throws {
        try await headBucket()
        let key = "runs/probe-\(UUID().lowercased)"
        let put = try await client.sendRetrying(.PUT, key: key, body: ByteBuffer(string: "probe\n"))
        guard put.status == 200 else { throw Self.failure("PUT \(key)", put) }
        try await delete(key: key)
    }

    private func headBucket() async throws {
        if let last = state.withLock({ $0.healthy }), last.duration(to: .now) < .seconds(1) { return }
        let response = try await client.sendRetrying(.HEAD, key: "", timeout: .seconds(5))
        guard response.status == 200 else { throw Self.failure("HEAD bucket", response) }
        state.withLock { $0.healthy = .now }
    }

    // MARK: markers

    /// Stores a blob's marker. A blob this process writes in one go is `live` (recovery leaves it alone until
    /// it settles or aborts); a Vellum multipart blob is not: its upload's row protects it, and any daemon may
    /// complete or abort it.
    func putMarker(_ id: UUID, _ marker: Marker, live: Bool = true) async throws {
        try await runs.start(client)
        state.withLock {
            if live { $0.live.insert(id) }
            $0.markers[id] = marker
        }
        let body = "run=\(marker.run)\n" + (marker.upload.map { "upload=\($0)\n" } ?? "")
        do {
            let response = try await client.sendRetrying(.PUT, key: Self.markerKey(id), body: ByteBuffer(string: body))
            guard response.status == 200 else { throw Self.failure("PUT \(Self.markerKey(id))", response) }
        } catch {
            if live { forget(id) }
            throw error
        }
    }

    /// The marker of a pending blob (nil when there is none): this process's own as it wrote it, another's read now.
    func marker(_ id: UUID) async throws -> Marker? {
        if let known = state.withLock({ $0.markers[id] }) { return known }
        let response = try await client.sendRetrying(.GET, key: Self.markerKey(id))
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw Self.failure("GET \(Self.markerKey(id))", response) }
        var fields: [String: String] = [:]
        for line in String(buffer: response.body).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return Marker(run: fields["run"] ?? "", upload: fields["upload"])
    }

    /// This process no longer writes the blob, nor needs to remember its marker.
    func forget(_ id: UUID) {
        state.withLock {
            $0.live.remove(id)
            $0.markers[id] = nil
        }
    }

    // MARK: requests

    /// Deletes one object; succeeds when it is not there.
    func delete(key: String) async throws {
        let response = try await client.sendRetrying(.DELETE, key: key)
        guard [200, 204, 404].contains(response.status) else { throw Self.failure("DELETE \(key)", response) }
    }

    /// The objects whose keys start with `prefix` (under the location's prefix), by name after it, 1,000 at a time.
    /// (The listing asks for the prefix without its final `/`: some servers' signature checks mishandle a `/` in a
    /// query value; the names are filtered here instead.)
    func list(_ prefix: String) -> AsyncThrowingStream<[(name: String, size: Int64)], any Error> {
        let client = self.client
        let full = client.location.prefix + prefix
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var token: String?
                    repeat {
                        var query = [("list-type", "2"), ("prefix", String(full.dropLast()))]
                        if let token { query.append(("continuation-token", token)) }
                        let response = try await client.sendRetrying(.GET, key: "", query: query)
                        guard response.status == 200 else { throw Self.failure("list \(full)", response) }
                        let xml = try S3XML(response.body, record: "Contents")
                        continuation.yield(
                            xml.records.compactMap { item in
                                guard let key = item["Key"], key.hasPrefix(full) else { return nil }
                                return (String(key.dropFirst(full.count)), Int64(item["Size"] ?? "") ?? 0)
                            })
                        token = xml.fields["IsTruncated"] == "true" ? xml.fields["NextContinuationToken"] : nil
                    } while token != nil
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// An unexpected answer as a storage failure, with S3's status, code and message for the logs.
    static func failure(_ what: String, _ response: S3Client.Response) -> StorageError {
        StorageError.failure("\(what): HTTP \(response.status) \(S3XML.describeError(response.body))")
    }
}

import Foundation

/// Where an S3 location keeps its blobs, from its URI (api.md §1):
/// `s3://BUCKET[/PREFIX]?endpoint=http://host:port&region=R[&virtual_host=true][&redirect_downloads=true]`.
/// With an endpoint (Ceph, MinIO, a test server) requests are path-style (`endpoint/BUCKET/KEY`) unless
/// `virtual_host=true`; without one they go to AWS (`https://BUCKET.s3.REGION.amazonaws.com/KEY`).
public struct S3Location: Sendable, Equatable {
    public var bucket: String
    /// Prepended to every object key ("" or ending in `/`).
    public var prefix: String
    public var endpoint: URL
    public var region: String
    public var virtualHost: Bool
    /// Downloads answer 302 to a presigned URL instead of streaming through Vellum.
    public var redirectDownloads: Bool

    public init(uri: String) throws {
        guard let parts = URLComponents(string: uri), parts.scheme == "s3", let bucket = parts.host, !bucket.isEmpty,
            parts.user == nil, parts.password == nil
        else {
            throw S3LocationError("Invalid S3 location '\(uri)': expected s3://BUCKET[/PREFIX]?endpoint=...&region=...")
        }
        let query = Dictionary((parts.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        let known: Set = ["endpoint", "region", "virtual_host", "redirect_downloads"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw S3LocationError("Invalid S3 location '\(uri)': unknown option '\(unknown)'.")
        }
        self.bucket = bucket
        let path = parts.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        prefix = path.isEmpty ? "" : path + "/"
        region = query["region"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        if let text = query["endpoint"] {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme), url.host != nil else {
                throw S3LocationError("Invalid S3 endpoint '\(text)': expected http(s)://host[:port].")
            }
            endpoint = url
            virtualHost = query["virtual_host"] == "true"
        } else {
            endpoint = URL(string: "https://s3.\(region).amazonaws.com")!
            virtualHost = true
        }
        redirectDownloads = query["redirect_downloads"] == "true"
    }

    /// The URL of an object (or of the bucket, for an empty key), the `Host` header to send and sign, and the
    /// unencoded path to sign.
    public func address(key: String) -> (url: String, host: String, path: String) {
        let scheme = endpoint.scheme ?? "https"
        let port = endpoint.port.map { ":\($0)" } ?? ""
        let host = (virtualHost ? "\(bucket)." : "") + (endpoint.host ?? "") + port
        let path = (virtualHost ? "" : "/\(bucket)") + "/" + (key.isEmpty ? "" : prefix + key)
        return ("\(scheme)://\(host)\(S3URIEncoding.path(path))", host, path)
    }
}

/// A location URI that does not describe an S3 location.
public struct S3LocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

import AsyncHTTPClient
import Foundation
import LocalStorage
import NIOPosix
import S3Storage
import VellumCore

/// Makes the backend for a location URI: `file:///absolute/path` (LocalStorage) or `s3://BUCKET[/PREFIX]?...`
/// (S3Storage, with the credentials from the settings; every S3 location shares one HTTP client).
struct BackendFactory: StorageBackendFactory {
    let threadPool: NIOThreadPool
    let settings: Settings
    static let http = S3Client.makeHTTPClient()

    func makeBackend(for location: Location) throws -> any StorageBackend {
        if location.uri.hasPrefix("s3://") {
            let credentials = S3Signer.Credentials(
                accessKeyID: settings.s3AccessKeyID, secretAccessKey: settings.s3SecretAccessKey,
                sessionToken: settings.s3SessionToken.flatMap { $0.isEmpty ? nil : $0 })
            let runs = URL(fileURLWithPath: settings.dataDir).standardizedFileURL.appendingPathComponent("s3-runs").path
            return S3Storage(
                name: location.name, location: try s3Location(location), credentials: credentials, http: Self.http,
                runsDirectory: runs)
        }
        return try LocalStorage(root: Self.localRoot(location), threadPool: threadPool)
    }

    /// Checks a new location's URI and gets it ready: a local directory is created; an S3 bucket must exist and
    /// let these credentials write and delete objects.
    func prepare(_ location: Location) async throws {
        if location.uri.hasPrefix("s3://") {
            _ = try s3Location(location)
            guard !settings.s3AccessKeyID.isEmpty, !settings.s3SecretAccessKey.isEmpty else {
                throw ConfigurationError("S3 locations need VELLUM_S3_ACCESS_KEY_ID and VELLUM_S3_SECRET_ACCESS_KEY.")
            }
            guard let s3 = try makeBackend(for: location) as? S3Storage else { return }
            try await s3.checkWritable()
        } else {
            try LocalStorage.prepare(root: Self.localRoot(location))
        }
    }

    private func s3Location(_ location: Location) throws -> S3Location {
        do {
            return try S3Location(uri: location.uri)
        } catch {
            throw ConfigurationError("\(error)")
        }
    }

    static func localRoot(_ location: Location) throws -> String {
        guard location.uri.hasPrefix("file://") else {
            throw ConfigurationError("Unsupported location URI '\(location.uri)': expected file:///PATH or s3://BUCKET?...")
        }
        let path = String(location.uri.dropFirst("file://".count))
        guard path.hasPrefix("/") else { throw ConfigurationError("A file:// location needs an absolute path.") }
        return path
    }
}

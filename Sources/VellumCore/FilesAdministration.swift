import Foundation

/// Administration of the files domain: health, locations, maintenance and recovery, scans, migrations between
/// locations, derivatives.
public struct FilesAdministration: FilesService {
    public let context: FilesContext

    public init(context: FilesContext) { self.context = context }

    /// Whether the database and the default location answer.
    public func healthy() async -> Bool {
        do {
            let locations = try await store.read { session in
                try await session.ping()
                return try await session.locations()
            }
            guard let location = locations.first(where: \.isDefault) else { return false }
            try await storage.backend(for: location.name).checkHealth()
            return true
        } catch {
            logger.warning("health check failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// The path of a stored file's bytes on this machine, when its location keeps them in a local file.
    public func localPath(_ file: FileInstance) async throws -> String? {
        try await storage.backend(for: file.location).localPath(file.id)
    }
}

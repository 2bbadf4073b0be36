import Foundation
import NIOCore

extension FilesService {
    /// Asks, in the transaction that commits a new version, for the derivatives its file gets: a IIIF pyramid for
    /// an image.
    static func requestDerivatives(for version: ObjectVersion, _ session: any MetadataSession) async throws {
        guard let file = version.file, let type = version.mimetype, DerivativeKind.pyramidTypes.contains(type) else {
            return
        }
        try await session.requestDerivative(.pyramid, of: file.id, at: Date())
    }

    /// Files whose derivative of `kind` is asked for and not made yet, oldest request first.
    public func pendingDerivatives(_ kind: DerivativeKind, limit: Int) async throws -> [FileInstance] {
        try await store.read { try await $0.pendingDerivatives(kind, limit: limit) }
    }

    public func derivative(_ kind: DerivativeKind, of file: FileInstance) async throws -> FileInstance? {
        try await store.read { try await $0.derivative(kind, of: file.id) }
    }

    public func failDerivative(_ kind: DerivativeKind, of file: FileInstance, error: String) async throws {
        try await store.write { try await $0.failDerivative(kind, of: file.id, error: error) }
    }

    /// Stores the local file at `path` as `file`'s derivative, in `file`'s location, in the order of every upload:
    /// bytes hashed and made durable, then the metadata, then the blob settled.
    public func storeDerivative(_ kind: DerivativeKind, of file: FileInstance, from path: String) async throws {
        let backend = try await storage.backend(for: file.location)
        let id = UUID()
        let writer = try await backend.create(id)
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var hasher = StreamHasher()
            var size: Int64 = 0
            while let data = try handle.read(upToCount: Self.batchBytes), !data.isEmpty {
                let buffer = ByteBuffer(bytes: data)
                size += Int64(buffer.readableBytes)
                await hasher.update([buffer])
                try await writer.write([buffer])
            }
            let checksums = await hasher.finalize()
            try await writer.finish(writing: [])
            let derivative = FileInstance(id: id, location: file.location, size: size, checksums: checksums, created: Date())
            try await store.write { try await $0.saveDerivative(kind, of: file.id, derivative) }
        } catch {
            await writer.abort()
            throw error
        }
        await settle(id, on: backend)
    }
}

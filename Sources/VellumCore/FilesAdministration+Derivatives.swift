import Foundation
import NIOCore

extension FilesAdministration {
    /// The file a derivative is asked for, while it is: not made yet, and the file not deleted.
    public func derivativeSource(_ kind: DerivativeKind, of fileID: UUID) async throws -> FileInstance? {
        try await store.read { try await $0.derivativeSource(kind, of: fileID) }
    }

    public func derivative(_ kind: DerivativeKind, of file: FileInstance) async throws -> FileInstance? {
        try await store.read { try await $0.derivative(kind, of: file.id) }
    }

    /// Derivatives that failed for good or wait to be tried again (admin).
    public func failedDerivatives(by principal: Principal, limit: Int = 1000) async throws -> [DerivativeFailure] {
        try principal.requireAdmin()
        return try await store.read { try await $0.failedDerivatives(limit: limit) }
    }

    /// Stores the local file at `path` as `file`'s derivative, in `file`'s location, in the order of every upload:
    /// bytes hashed and made durable, then the metadata, then the blob settled.
    public func storeDerivative(_ kind: DerivativeKind, of file: FileInstance, from path: String) async throws {
        try requireSpace()
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

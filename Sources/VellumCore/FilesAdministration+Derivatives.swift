import Foundation
import NIOCore

extension FilesAdministration {
    /// Files whose derivative of `kind` is asked for, not made yet and due, oldest request first.
    public func pendingDerivatives(_ kind: DerivativeKind, limit: Int) async throws -> [FileInstance] {
        try await store.read { try await $0.pendingDerivatives(kind, due: Date(), limit: limit) }
    }

    public func derivative(_ kind: DerivativeKind, of file: FileInstance) async throws -> FileInstance? {
        try await store.read { try await $0.derivative(kind, of: file.id) }
    }

    /// Records that `file` can never have its derivative (not an image, too large): it is not tried again.
    public func failDerivative(_ kind: DerivativeKind, of file: FileInstance, error: String) async throws {
        try await store.write { try await $0.failDerivative(kind, of: file.id, error: error) }
    }

    /// Records a failure that may pass (a full disk, a location out of reach): the derivative is tried again after
    /// a pause that doubles with each failure, from 30 seconds to a day.
    public func retryDerivative(_ kind: DerivativeKind, of file: FileInstance, error: String) async throws {
        try await store.write {
            try await $0.retryDerivative(kind, of: file.id, error: error, after: Self.derivativeRetryDelay)
        }
    }

    /// The pause before attempt `attempts + 1`.
    static func derivativeRetryDelay(_ attempts: Int) -> TimeInterval {
        min(30 * pow(2, Double(min(max(attempts - 1, 0), 20))), 86_400)
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

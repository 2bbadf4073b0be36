import Crypto
import Foundation

/// Local files for readers that need a path (the IIIF renderer, the pyramid builder) whatever the location: the
/// stored file itself where its location keeps one, else a whole copy in `directory` (`{file id}`), made once,
/// streamed and checked against the file's size and MD5, and kept. Files made from them (the pages of a PDF drawn
/// as images) are kept the same way under names of their own. The least recently used go when they pass `capacity`
/// bytes (none used in the last minute: a reader may still be opening it); one that is lost is made again. Several
/// readers asking for the same file wait for one copy.
public actor LocalCopies {
    let context: FilesContext
    let directory: String
    let capacity: Int64
    private var making: [String: Task<String, any Error>] = [:]

    public init(context: FilesContext, directory: String, capacity: Int64) throws {
        self.context = context
        self.directory = directory
        self.capacity = capacity
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Copies cut short by a crash.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// A local path with the file's bytes.
    public func path(of file: FileInstance) async throws -> String {
        if let path = try await context.storage.backend(for: file.location).localPath(file.id) { return path }
        let context = context
        return try await path(named: file.id.lowercased, size: file.size) { try await Self.write(file, context, to: $0) }
    }

    /// The kept file `name` (letters, digits, `-` and `.`), made by `make` when missing: `make` writes about `size`
    /// bytes to the path it is given, which becomes the file once it returns.
    public func path(named name: String, size: Int64, make: @escaping @Sendable (String) async throws -> Void) async throws
        -> String
    {
        let path = directory + "/" + name
        if FileManager.default.fileExists(atPath: path) {
            // The last use, for eviction.
            utimes(path, nil)
            return path
        }
        if let running = making[name] { return try await running.value }
        let task = Task {
            try self.evict(making: size)
            let temporary = path + ".\(UUID().lowercased).tmp"
            do {
                try await make(temporary)
                guard rename(temporary, path) == 0 else { throw StorageError(.failure, "Cannot keep the local copy \(path).") }
            } catch {
                unlink(temporary)
                throw error
            }
            return path
        }
        making[name] = task
        defer { making[name] = nil }
        return try await task.value
    }

    /// Writes the file's bytes to a new file at `path`, read once and checked against its size and MD5.
    public static func write(_ file: FileInstance, _ context: FilesContext, to path: String) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw StorageError(.failure, "Cannot write \(path).")
        }
        defer { try? handle.close() }
        var written: Int64 = 0
        var md5 = Insecure.MD5()
        let reader = try await context.storage.backend(for: file.location).open(file.id, range: 0..<file.size)
        do {
            while let chunk = try await reader.next() {
                chunk.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
                try handle.write(contentsOf: Data(chunk.readableBytesView))
                written += Int64(chunk.readableBytes)
            }
            await reader.close()
        } catch {
            await reader.close()
            throw error
        }
        let digest = md5.finalize().map { String(format: "%02x", $0) }.joined()
        guard written == file.size, digest == file.checksums.md5 else {
            throw StorageError(.failure, "The bytes read of file \(file.id.lowercased) do not match its size and MD5.")
        }
    }

    /// Removes the least recently used copies until `incoming` more bytes fit within `capacity`.
    private func evict(making incoming: Int64) throws {
        let manager = FileManager.default
        var copies: [(path: String, size: Int64, used: Date)] = []
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] where !name.hasSuffix(".tmp") {
            let path = directory + "/" + name
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            copies.append(
                (path, (attributes[.size] as? NSNumber)?.int64Value ?? 0, attributes[.modificationDate] as? Date ?? .distantPast))
        }
        var used = copies.reduce(0) { $0 + $1.size }
        let recent = Date().addingTimeInterval(-60)
        for copy in copies.sorted(by: { $0.used < $1.used }) where used + incoming > capacity && copy.used < recent {
            if unlink(copy.path) == 0 { used -= copy.size }
        }
    }
}

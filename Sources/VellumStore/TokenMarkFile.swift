import Foundation
import VellumCore

/// The `TokenChanges` mark of an SQLite database: a small file beside it (`<database>-tokens`) holding a random
/// value that each revocation replaces (write aside, rename over). Every process sharing an SQLite file runs on
/// the same machine, so each request can read the mark for a few microseconds instead of querying its token.
struct TokenMarkFile: TokenChanges {
    let path: String

    /// The mark file of the database at `databasePath`, created if missing; nil for an in-memory database.
    init?(databasePath: String) {
        guard databasePath != ":memory:" else { return nil }
        path = databasePath + "-tokens"
        if mark() == nil { try? change() }
    }

    func mark() -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func change() throws {
        let value = UUID().uuidString
        let aside = path + "." + value
        guard FileManager.default.createFile(atPath: aside, contents: Data(value.utf8)), rename(aside, path) == 0 else {
            unlink(aside)
            throw StorageError(.failure, "Could not write \(path), which tells running daemons that tokens changed.")
        }
    }
}

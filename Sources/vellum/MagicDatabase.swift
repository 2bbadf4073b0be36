import CMagic
import Crypto
import Foundation
import VellumCore

/// Vellum's magic database for MIME sniffing: `Resources/vellum.magic`, the entries of Debian's database that can
/// name a MIME type (see `scripts/magic-subset.py`), about half the work per sniff of the full one. It is compiled
/// once into the data directory as `magic-<digest>.mgc`, which libmagic then maps, shared by all its handles.
enum MagicDatabase {
    /// The compiled database's path, compiling it first when missing; nil if that fails (sniffing then uses
    /// libmagic's own database). libmagic writes what it compiles into the current directory, so this changes
    /// directory for a moment: call it at start-up, before anything else runs.
    static func prepare(in directory: String) -> String? {
        guard let source = Bundle.module.url(forResource: "vellum", withExtension: "magic"),
            let text = try? Data(contentsOf: source)
        else { return nil }
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        let name = "magic-\(SHA256.hash(data: text).prefix(8).hexString).mgc"
        if FileManager.default.fileExists(atPath: directory + "/" + name) { return directory + "/" + name }
        let previous = FileManager.default.currentDirectoryPath
        guard FileManager.default.changeCurrentDirectoryPath(directory) else { return nil }
        let temp = ".magic-\(UUID().uuidString.lowercased())"
        defer {
            unlink(temp)
            unlink(temp + ".mgc")
            FileManager.default.changeCurrentDirectoryPath(previous)
        }
        guard FileManager.default.createFile(atPath: temp, contents: text), let cookie = magic_open(MAGIC_MIME_TYPE)
        else { return nil }
        defer { magic_close(cookie) }
        guard magic_compile(cookie, temp) == 0, rename(temp + ".mgc", name) == 0 else { return nil }
        return directory + "/" + name
    }
}

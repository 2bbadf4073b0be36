import CMagic
import Foundation
import Synchronization

/// Chooses an object's media type: the client's when meaningful, otherwise from content (libmagic) and name.
public final class MimeDetector: Sendable {
    /// How many leading bytes are sniffed.
    public static let prefixLength = 4096
    private let cookies = Mutex<[Cookie]>([])
    /// The compiled magic database sniffing uses; nil for libmagic's default one.
    let database: String?

    /// A libmagic handle; only ever used by one thread at a time (it sits in the pool when idle).
    private struct Cookie: @unchecked Sendable {
        let raw: OpaquePointer
    }

    public init(database: String? = nil) {
        self.database = database
    }

    deinit {
        cookies.withLock { cookies in
            for cookie in cookies { magic_close(cookie.raw) }
        }
    }

    /// The type to store for an upload.
    public func detect(clientType: String?, key: String, prefix: [UInt8]) -> String {
        if let clientType = Self.meaningful(clientType) { return clientType }
        let byName = Self.type(forName: key)
        let sniffed = sniff(prefix)
        let vague: Set<String> = ["application/octet-stream", "text/plain", "application/x-empty", "inode/x-empty"]
        if let byName, sniffed == nil || vague.contains(sniffed ?? "") { return byName }
        if let sniffed, sniffed != "application/x-empty", sniffed != "inode/x-empty" { return sniffed }
        return byName ?? "application/octet-stream"
    }

    /// The client's type without parameters, unless it is absent or the generic `application/octet-stream`.
    static func meaningful(_ type: String?) -> String? {
        guard let type else { return nil }
        let bare = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard !bare.isEmpty, bare.contains("/"), bare != "application/octet-stream" else { return nil }
        return type.trimmingCharacters(in: .whitespaces)
    }

    /// libmagic's verdict on a prefix; cookies are not thread-safe, so each call takes one from a small pool.
    func sniff(_ prefix: [UInt8]) -> String? {
        guard !prefix.isEmpty else { return nil }
        guard let cookie = cookies.withLock({ $0.popLast() }) ?? openCookie() else { return nil }
        defer { cookies.withLock { $0.append(cookie) } }
        let result = prefix.withUnsafeBytes { magic_buffer(cookie.raw, $0.baseAddress, $0.count) }
        return result.map { String(cString: $0) }
    }

    private func openCookie() -> Cookie? {
        guard let cookie = magic_open(MAGIC_MIME_TYPE) else { return nil }
        guard magic_load(cookie, database) == 0 else {
            magic_close(cookie)
            return nil
        }
        return Cookie(raw: cookie)
    }

    /// A type from the file extension, for the kinds research repositories hold most.
    public static func type(forName name: String) -> String? {
        let base = ObjectKey.basename(name).lowercased()
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return nil }
        return extensions[String(base[base.index(after: dot)...])]
    }

    static let extensions: [String: String] = [
        "txt": "text/plain", "md": "text/markdown", "csv": "text/csv", "tsv": "text/tab-separated-values",
        "json": "application/json", "jsonld": "application/ld+json", "xml": "application/xml",
        "html": "text/html", "htm": "text/html", "css": "text/css", "js": "application/javascript",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "tif": "image/tiff", "tiff": "image/tiff", "jp2": "image/jp2", "webp": "image/webp", "bmp": "image/bmp",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "tgz": "application/gzip",
        "bz2": "application/x-bzip2", "xz": "application/x-xz", "tar": "application/x-tar",
        "7z": "application/x-7z-compressed", "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav",
        "webm": "audio/webm", "mp4": "video/mp4", "h5": "application/x-hdf5", "hdf5": "application/x-hdf5",
        "nc": "application/x-netcdf", "fits": "application/fits", "parquet": "application/vnd.apache.parquet",
        "ipynb": "application/x-ipynb+json", "yaml": "application/yaml", "yml": "application/yaml",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt": "application/vnd.oasis.opendocument.text", "rtf": "application/rtf", "tex": "application/x-tex",
        "py": "text/x-python", "r": "text/x-r", "c": "text/x-c", "h": "text/x-c",
    ]
}

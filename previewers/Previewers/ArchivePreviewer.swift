import CArchive
import Foundation

/// The listing of a ZIP, tar (plain, gzip, bzip2, xz, zstd), 7-Zip or other archive libarchive reads: names, sizes
/// and dates of the first 1,000 entries (a ZIP's with each one's compression ratio, from its central directory:
/// `ZIPDirectory`), with the totals and the archive's ratio. Nothing is ever extracted: entries' data are skipped. Names that would escape a folder when extracted (`..` segments, absolute paths), duplicates, and links
/// are flagged; so is an archive whose content is more than 100 times its size (a decompression bomb).
public struct ArchivePreviewer: Previewer {
    public let name = "archive"
    public var keptAsDerivative: Bool { true }
    public var needsWholeFile: Bool { true }
    public let mediaTypes: Set<String> = [
        "application/zip", "application/x-tar", "application/gzip", "application/x-gzip", "application/x-bzip2",
        "application/x-xz", "application/x-7z-compressed", "application/zstd", "application/java-archive",
        "application/x-zip-compressed",
    ]
    public let extensions: Set<String> = ["zip", "tar", "tgz", "gz", "tbz", "tbz2", "bz2", "txz", "xz", "7z", "whl", "jar", "zst"]

    public static let shownEntries = 1000
    /// Content more than this many times the archive's size is flagged as a possible bomb.
    static let bombRatio: Int64 = 100

    public init() {}

    struct Entry {
        var name: String
        var size: Int64?
        var modified: Int?
        var kind: String
        var link: String?
        var flags: [String]
    }

    public func render(_ file: PreviewFile, _ limits: PreviewLimits) throws -> PreviewPage {
        let (entries, total, format) = try Self.list(file.path, size: file.size, limits: limits)
        let packed = format.hasPrefix("ZIP") ? ZIPDirectory.entries(file.path) ?? [] : []
        var seen = Set<String>()
        var duplicates = 0
        var dangerous = 0
        var rows = ""
        for (n, var entry) in entries.enumerated() {
            if !seen.insert(entry.name).inserted {
                entry.flags.append("duplicate name")
                duplicates += 1
            }
            if entry.flags.contains(where: { $0 != "duplicate name" && $0 != "link" }) { dangerous += 1 }
            guard n < Self.shownEntries else { continue }
            rows += entry.flags.isEmpty ? "<tr>" : "<tr class=\"flagged\">"
            rows += "<td class=\"name\">\(HTML.escape(entry.name))"
            if let link = entry.link { rows += " → <span class=\"target\">\(HTML.escape(link))</span>" }
            for flag in entry.flags { rows += " <span class=\"flag\">\(HTML.escape(flag))</span>" }
            rows += "</td><td class=\"kind\">\(entry.kind)</td>"
            rows += "<td class=\"size\" data-bytes=\"\(entry.size ?? -1)\">\(entry.size.map(HTML.size) ?? "")</td><td class=\"packed\">"
            // The directory's entry of the same place and name (libarchive reads the entries in the file's order).
            if n < packed.count, packed[n].name == entry.name, let size = entry.size, size > 0, entry.kind == "file" {
                rows += Self.percent(size: packed[n].packed, of: size)
            }
            rows += "</td>"
            rows += "<td class=\"date\">\(entry.modified.map(Self.date) ?? "")</td></tr>\n"
        }
        let content = entries.reduce(Int64(0)) { $0 + ($1.size ?? 0) }
        var body = "<p class=\"about\" data-entries=\"\(total)\">\(HTML.escape(format)): \(total) entr\(total == 1 ? "y" : "ies"), "
        body += "\(HTML.size(content)) unpacked from \(HTML.size(file.size))"
        if content > file.size && file.size > 0 { body += " (packed to \(Self.percent(size: file.size, of: content)))" }
        body += ".\(total > Self.shownEntries ? " The first \(Self.shownEntries) are listed." : "")</p>\n"
        var warnings: [String] = []
        if dangerous > 0 {
            warnings.append(
                "\(dangerous) entr\(dangerous == 1 ? "y has a name" : "ies have names") that would be written outside the folder it is extracted to.")
        }
        if duplicates > 0 { warnings.append("\(duplicates) entr\(duplicates == 1 ? "y repeats a name" : "ies repeat names") of earlier entries.") }
        if file.size > 0 && content / file.size > Self.bombRatio {
            warnings.append("It unpacks to \(content / file.size) times its size: a decompression bomb, perhaps.")
        }
        for warning in warnings { body += "<p class=\"warning\">\(HTML.escape(warning))</p>\n" }
        body += "<div class=\"table\"><table class=\"archive\"><thead><tr><th>Name</th><th>Kind</th><th>Size</th><th>Packed</th>"
        body += "<th>Modified (UTC)</th></tr></thead>\n<tbody>\n\(rows)</tbody></table></div>"
        return PreviewPage(body: body)
    }

    /// Every entry's header (data skipped), the count, and the format's name.
    static func list(_ path: String, size: Int64, limits: PreviewLimits) throws -> ([Entry], Int, String) {
        guard let archive = archive_read_new() else { throw PreviewFailure("The archive could not be opened.") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        guard archive_read_open_filename(archive, path, 64 * 1024) == ARCHIVE_OK else {
            throw PreviewFailure("The file is not an archive this server can read\(reason(archive)).")
        }
        var entries: [Entry] = []
        var header: OpaquePointer?
        while true {
            let status = archive_read_next_header(archive, &header)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else {
                if entries.isEmpty { throw PreviewFailure("The file is not an archive this server can read\(reason(archive)).") }
                throw PreviewFailure("The archive is damaged after \(entries.count) entries\(reason(archive)).")
            }
            if entries.count % 1024 == 0 { try limits.check() }
            entries.append(entry(header))
        }
        let format = archive_format_name(archive).map { String(cString: $0) } ?? "Archive"
        return (entries, entries.count, format)
    }

    static func entry(_ header: OpaquePointer) -> Entry {
        let name =
            archive_entry_pathname_utf8(header).map { String(cString: $0) }
            ?? archive_entry_pathname(header).map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
            ?? ""
        let type = archive_entry_filetype(header)
        let kind: String
        switch type & 0o170000 {
        case 0o040000: kind = "folder"
        case 0o120000: kind = "link"
        case 0o100000: kind = "file"
        default: kind = archive_entry_hardlink(header) != nil ? "hard link" : "other"
        }
        var flags: [String] = []
        let segments = name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if segments.contains("..") { flags.append("goes up (..)") }
        if name.hasPrefix("/") || name.hasPrefix("\\") || (name.count > 1 && name.dropFirst().first == ":") {
            flags.append("absolute path")
        }
        var link: String?
        if let target = archive_entry_symlink(header) ?? archive_entry_hardlink(header) {
            link = String(cString: target)
            flags.append("link")
            if link!.hasPrefix("/") || link!.split(separator: "/").contains("..") { flags.append("link outside") }
        }
        return Entry(
            name: name, size: archive_entry_size_is_set(header) != 0 ? archive_entry_size(header) : nil,
            modified: archive_entry_mtime_is_set(header) != 0 ? Int(archive_entry_mtime(header)) : nil, kind: kind, link: link,
            flags: flags)
    }

    static func reason(_ archive: OpaquePointer) -> String {
        guard let message = archive_error_string(archive) else { return "" }
        return ": " + String(cString: message)
    }

    static func percent(size: Int64, of whole: Int64) -> String {
        let tenths = Int((Double(size) / Double(whole) * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    static func date(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "" }
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
    }
}

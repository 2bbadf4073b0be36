import Foundation

/// The packed size of each entry of a ZIP file, from its central directory (ZIP64 included), which libarchive does
/// not report: the archive listing's compression ratios. Only the directory is read, never an entry's data.
enum ZIPDirectory {
    struct Entry: Equatable {
        var name: String
        var packed: Int64
    }

    /// The directory is read only up to this size (a 70,000-entry directory is about 5 MB).
    static let maxDirectory: Int64 = 64 << 20

    /// The entries in the directory's order, or nil when the file is no ZIP or its directory cannot be read.
    static func entries(_ path: String) -> [Entry]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let fileEnd = try? handle.seekToEnd(), fileEnd >= 22 else { return nil }
        let size = Int64(fileEnd)
        // The end record: the last signature in the final 64 KiB + 22 bytes (its comment is at most 64 KiB).
        let tailStart = size - min(size, 65_536 + 22)
        guard let tail = read(handle, at: tailStart, count: Int(size - tailStart)) else { return nil }
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { le32(tail, $0) == 0x0605_4b50 })
        else { return nil }
        var count = Int64(le16(tail, end + 10))
        var length = Int64(le32(tail, end + 12))
        var offset = Int64(le32(tail, end + 16))
        if count == 0xFFFF || length == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: the locator just before the end record names the ZIP64 end record.
            guard end >= 20, le32(tail, end - 20) == 0x0706_4b50,
                let record = read(handle, at: Int64(le64(tail, end - 12)), count: 56), le32(record, 0) == 0x0606_4b50
            else { return nil }
            (count, length, offset) = (Int64(le64(record, 32)), Int64(le64(record, 40)), Int64(le64(record, 48)))
        }
        guard length <= maxDirectory, offset >= 0, offset + length <= size,
            let directory = read(handle, at: offset, count: Int(length))
        else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(min(count, 1 << 20)))
        var i = 0
        while i + 46 <= directory.count, le32(directory, i) == 0x0201_4b50 {
            var packed = Int64(le32(directory, i + 20))
            let unpacked = UInt64(le32(directory, i + 24))
            let nameLength = le16(directory, i + 28)
            let extraLength = le16(directory, i + 30)
            let commentLength = le16(directory, i + 32)
            let nameStart = i + 46
            guard nameStart + nameLength + extraLength <= directory.count else { return nil }
            if packed == 0xFFFF_FFFF {
                // The ZIP64 extra field holds the sizes that overflowed, the unpacked size first.
                var e = nameStart + nameLength
                while e + 4 <= nameStart + nameLength + extraLength {
                    let (id, dataLength) = (le16(directory, e), le16(directory, e + 2))
                    if id == 0x0001 {
                        let at = e + 4 + (unpacked == 0xFFFF_FFFF ? 8 : 0)
                        if at + 8 <= e + 4 + dataLength { packed = Int64(le64(directory, at)) }
                        break
                    }
                    e += 4 + dataLength
                }
            }
            let name = String(decoding: directory[nameStart..<nameStart + nameLength], as: UTF8.self)
            entries.append(Entry(name: name, packed: packed))
            i = nameStart + nameLength + extraLength + commentLength
        }
        return entries
    }

    static func read(_ handle: FileHandle, at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0, (try? handle.seek(toOffset: UInt64(offset))) != nil,
            let data = try? handle.read(upToCount: count), data.count == count
        else { return nil }
        return [UInt8](data)
    }

    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
    static func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }
}

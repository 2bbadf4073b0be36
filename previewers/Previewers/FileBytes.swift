import Foundation

/// Reading a previewed file: its first bytes only, never more than a previewer asked for.
enum FileBytes {
    /// Up to `limit` bytes from the start of the file at `path`.
    static func prefix(_ path: String, limit: Int64) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw PreviewFailure("The file could not be read.") }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: Int(clamping: limit)) ?? Data()
        return [UInt8](data)
    }

    /// `bytes` as text: UTF-8 (a BOM dropped), UTF-16 with a BOM, or else Windows-1252 (which maps every byte).
    /// When the bytes are the start of a bigger file (`complete` false), a UTF-8 sequence cut at the end is dropped.
    static func text(_ bytes: [UInt8], complete: Bool = true) -> (text: String, charset: String) {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes.first == 0xFF
            var units = [UInt16]()
            units.reserveCapacity(bytes.count / 2)
            var i = bytes.startIndex + 2
            while i + 1 < bytes.endIndex {
                units.append(little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
                i += 2
            }
            return (String(decoding: units, as: UTF16.self), little ? "UTF-16LE" : "UTF-16BE")
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, "UTF-8") }
        // A prefix may end inside a character: up to 3 bytes of a sequence that would go on.
        for cut in 1...3 where !complete && bytes.count > cut {
            if let text = String(validating: bytes.dropLast(cut), as: UTF8.self) { return (text, "UTF-8") }
        }
        return (String(bytes.map { Character(windows1252($0)) }), "Windows-1252")
    }

    /// The Unicode scalar of a Windows-1252 byte (its undefined bytes as the C1 control of the same number).
    static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        let high: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
            0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
            0x0153, 0x9D, 0x017E, 0x0178,
        ]
        if byte >= 0x80 && byte < 0xA0 { return Unicode.Scalar(high[Int(byte - 0x80)])! }
        return Unicode.Scalar(byte)
    }
}

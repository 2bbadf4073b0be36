import Foundation

// ByteRanges (Sources/VellumHTTPSupport/ByteRanges.swift). Input: `SIZE\nHEADER`, the representation's size in decimal
// (default 1000; a negative one counts as its magnitude) and the `Range` header. Invariants: never traps; every
// range served is non-empty and inside the representation, ascending, none overlapping or adjacent (api.md
// coalesces them); at most 100; and for ASCII headers the result is exactly what api.md §3 describes
// (`contractModel`, written from the text, not from the code).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzByteRanges(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let lines = FuzzBytes(start, count).text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
    let size = lines.count == 2 ? Int64(lines[0]).map { $0 == .min ? .max : abs($0) } ?? 1000 : 1000
    let header = String(lines.count == 2 ? lines[1] : lines[0])
    let result = ByteRanges(header: header, size: size)
    if case .ranges(let ranges) = result {
        require(!ranges.isEmpty && ranges.count <= ByteRanges.maxRanges, "\(ranges.count) ranges for \(show(header))")
        for (i, range) in ranges.enumerated() {
            require(
                range.lowerBound >= 0 && range.lowerBound < range.upperBound && range.upperBound <= size,
                "range \(range) outside a representation of \(size) bytes, from \(show(header))")
            require(i == 0 || ranges[i - 1].upperBound < range.lowerBound, "ranges \(ranges) not coalesced, from \(show(header))")
        }
    }
    if header.utf8.allSatisfy({ $0 < 0x80 }) {
        let expected = contractModel(Array(header.utf8), size: size)
        require(result == expected, "Range \(show(header)) on \(size) bytes gave \(result), the contract says \(expected)")
    }
    require(ByteRanges(header: nil, size: size) == .ignore, "no header must serve the whole representation")
    return 0
}

/// `bytes=` (any case) then 1-100 comma-separated `a-b`, `a-` or `-n` (optional spaces or tabs around each and
/// around the header); numbers are ASCII digits that fit Int64. Malformed, or an end before its start → ignore;
/// well-formed but nothing overlaps → unsatisfiable; else the satisfiable ranges clipped to the representation,
/// and overlapping or adjacent ones merged, in ascending order.
private func contractModel(_ bytes: [UInt8], size: Int64) -> ByteRanges {
    func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let c = s.first, c == 0x20 || c == 0x09 { s = s.dropFirst() }
        while let c = s.last, c == 0x20 || c == 0x09 { s = s.dropLast() }
        return s
    }
    func number(_ s: ArraySlice<UInt8>) -> Int64? {
        guard !s.isEmpty, s.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var value: Int64 = 0
        for digit in s {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
    let all = trim(bytes[...])
    guard all.count >= 6, String(decoding: all.prefix(6), as: UTF8.self).lowercased() == "bytes=" else { return .ignore }
    let specs = all.dropFirst(6).split(separator: 0x2C, omittingEmptySubsequences: false)
    guard specs.count <= 100 else { return .ignore }
    var ranges: [Range<Int64>] = []
    for spec in specs {
        let spec = trim(spec)
        guard let dash = spec.firstIndex(of: 0x2D) else { return .ignore }
        let first = spec[..<dash]
        let last = spec[(dash + 1)...]
        if first.isEmpty {
            guard let n = number(last) else { return .ignore }
            if n > 0 && size > 0 { ranges.append((n >= size ? 0 : size - n)..<size) }
        } else {
            guard let a = number(first) else { return .ignore }
            var b = size - 1
            if !last.isEmpty {
                guard let end = number(last), end >= a else { return .ignore }
                b = min(end, size - 1)
            }
            if a < size { ranges.append(a..<(b + 1)) }
        }
    }
    guard !ranges.isEmpty else { return .unsatisfiable }
    var bytes = Set<Int64>()
    var merged: [Range<Int64>] = []  // merge by brute force where it is cheap
    if ranges.allSatisfy({ $0.count <= 4096 }) {
        for range in ranges { bytes.formUnion(range) }
        for b in bytes.sorted() {
            if let last = merged.last, last.upperBound == b {
                merged[merged.count - 1] = last.lowerBound..<(b + 1)
            } else {
                merged.append(b..<(b + 1))
            }
        }
    } else {
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
    }
    return .ranges(merged)
}

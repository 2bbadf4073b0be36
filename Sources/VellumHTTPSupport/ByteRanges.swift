/// The `Range: bytes=...` header (RFC 9110 §14), resolved against a representation of known size.
enum ByteRanges: Equatable {
    /// Absent, not `bytes`, or malformed: serve the whole representation (RFC 9110 says to ignore it).
    case ignore
    /// Well-formed but no range overlaps the representation: 416.
    case unsatisfiable
    /// One or more satisfiable ranges as half-open byte ranges, in ascending order, none overlapping or adjacent to
    /// another: overlapping and adjacent ranges are coalesced (RFC 9110 §14.2 allows it), so a request for many copies
    /// of the same bytes gets them once.
    case ranges([Range<Int64>])

    /// More ranges than this is treated as abuse and served whole.
    static let maxRanges = 100

    init(header: String?, size: Int64) {
        guard let header else {
            self = .ignore
            return
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .ignore
            return
        }
        let specs = trimmed.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false)
        guard specs.count <= Self.maxRanges else {
            self = .ignore
            return
        }
        var result: [Range<Int64>] = []
        for spec in specs {
            let parts = spec.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                self = .ignore
                return
            }
            let first = parts[0]
            let last = parts[1]
            if first.isEmpty {
                // Suffix range: the last N bytes.
                guard let n = Self.number(last) else {
                    self = .ignore
                    return
                }
                if n > 0 && size > 0 { result.append(max(size - n, 0)..<size) }
            } else {
                guard let start = Self.number(first) else {
                    self = .ignore
                    return
                }
                var end = size - 1
                if !last.isEmpty {
                    guard let value = Self.number(last), value >= start else {
                        self = .ignore
                        return
                    }
                    end = min(value, size - 1)
                }
                if start < size { result.append(start..<(end + 1)) }
            }
        }
        self = result.isEmpty ? .unsatisfiable : .ranges(Self.coalesced(result))
    }

    static func coalesced(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
        var merged: [Range<Int64>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
        return Int64(text)
    }
}

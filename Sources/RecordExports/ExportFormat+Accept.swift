extension ExportFormat {
    /// What an `Accept` header asks for: the record's own JSON (`application/json`, `*/*`, no header), a format, or
    /// nothing served (406).
    public enum Choice: Equatable, Sendable {
        case native
        case format(ExportFormat)
        case unacceptable
    }

    /// The served type the header prefers (RFC 9110 §12.5.1): each served type — the record's JSON
    /// (`application/json`) and every format — takes the q-value of the most specific range that matches it
    /// (`type/subtype`, then `type/*`, then `*/*`; parameters other than `q` ignored); the highest wins, a tie going
    /// to the range listed first, then to the record's JSON; `q=0` refuses a type.
    public static func choose(accept: String?) -> Choice {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .native }
        let ranges = accept.split(separator: ",").compactMap(MediaRange.init)
        if ranges.isEmpty { return .native }
        let candidates: [(Choice, [String])] = [(.native, ["application/json"])] + allCases.map { (.format($0), $0.acceptedMediaTypes) }
        var best: (choice: Choice, q: Double, position: Int)?
        for (choice, types) in candidates {
            for type in types {
                let matching = ranges.indices.filter { ranges[$0].matches(type) }
                guard let position = matching.max(by: { ranges[$0].rank < ranges[$1].rank }), ranges[position].q > 0 else { continue }
                let q = ranges[position].q
                if let best, best.q > q || (best.q == q && best.position <= position) { continue }
                best = (choice, q, position)
            }
        }
        return best?.choice ?? .unacceptable
    }

    /// One range of an `Accept` header: `type/subtype`, `type/*` or `*/*`, with its q-value.
    struct MediaRange {
        var type: Substring
        var subtype: Substring
        var q: Double

        init?(_ text: Substring) {
            let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let names = parts.first?.split(separator: "/", omittingEmptySubsequences: false) ?? []
            guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty, names[0] != "*" || names[1] == "*" else { return nil }
            type = names[0]
            subtype = names[1]
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.map { Double($0.dropFirst(2).trimmingCharacters(in: .whitespaces)) }
            switch weight {
            case .none: q = 1
            case .some(.some(let value)) where (0...1).contains(value): q = value
            default: return nil
            }
        }

        /// How specific the range is: 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`.
        var rank: Int { type == "*" ? 0 : subtype == "*" ? 1 : 2 }

        func matches(_ mediaType: String) -> Bool {
            let names = mediaType.split(separator: "/")
            return (type == "*" || type == names[0]) && (subtype == "*" || subtype == names[1])
        }
    }
}

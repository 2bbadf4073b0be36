extension RecordSearch {
    /// One key a search's hits are ordered by; each backend names its field in its own terms.
    public struct SortKey: Sendable, Equatable {
        public enum Field: Sendable, Equatable {
            /// The text's score, better first; hits the text did not score last.
            case score
            case created, updated, title, id
            /// The publication date; records without one last either way.
            case publicationAscending, publicationDescending
        }

        public var field: Field
        public var descending: Bool

        public var kind: SearchKey.Kind {
            switch field {
            case .score: .real
            case .created, .updated, .id: .integer
            case .title, .publicationAscending, .publicationDescending: .text
            }
        }
    }

    /// Whether hits are ordered by how well they match: `bestmatch` with some text to score (else it is `newest`).
    public var isRanked: Bool { sort == .bestmatch && !query.scoredTexts.isEmpty }

    /// The sort's keys, the record id last (so that every hit has its own place, and a cursor can follow it).
    public var sortKeys: [SortKey] {
        let key = { (field: SortKey.Field, descending: Bool) in SortKey(field: field, descending: descending) }
        switch sort {
        case .bestmatch where isRanked: return [key(.score, true), key(.created, true), key(.id, true)]
        case .bestmatch, .newest: return [key(.created, true), key(.id, true)]
        case .oldest: return [key(.created, false), key(.id, false)]
        case .updated: return [key(.updated, true), key(.id, true)]
        case .title: return [key(.title, false), key(.id, false)]
        case .publicationDate: return [key(.publicationAscending, false), key(.id, false)]
        case .publicationDateDescending: return [key(.publicationDescending, true), key(.id, true)]
        }
    }

    /// `after`, checked against the sort's keys: a cursor from another search is refused.
    public func checkedAfter() throws -> [SearchKey]? {
        guard let after else { return nil }
        let keys = sortKeys
        guard after.count == keys.count, zip(after, keys).allSatisfy({ $0.0.kind == $0.1.kind }) else {
            throw RecordsError(.invalid, "The cursor does not fit this search: start again from its first page.")
        }
        return after
    }
}

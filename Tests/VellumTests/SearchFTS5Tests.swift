import SQLiteKit
import SearchQuery
import Testing

@testable import VellumRecordsStore

/// Query leaves as FTS5 MATCH expressions, run on a real FTS5 table of the SQLite Vellum links (sqlite-nio's).
@Suite struct SearchFTS5Tests {
    static let rows: [(Int, [String])] = [
        (1, ["Océan temperatures of the North Sea", "Lovelace, Ada", "Buoys measured the sea level.", "ocean climate"]),
        (2, ["Glacier mass balance", "Curie, Marie", "DOI 10.5281/zenodo.123 cites it; COVID-19: a study", "ice"]),
        (3, ["Sea-level rise", "Noether, Emmy", "\"Quoted\" NEAR words AND operators", "sea"]),
    ]

    static func table() async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .memory)
        _ = try await connection.query(
            "CREATE VIRTUAL TABLE t USING fts5(\(SearchFTS5.columns.joined(separator: ", ")), tokenize = '\(SearchFTS5.tokenizer)')")
        for (id, texts) in rows {
            _ = try await connection.query(
                "INSERT INTO t (rowid, title, creators, description, keywords) VALUES (?, ?, ?, ?, ?)",
                [.integer(id)] + texts.map { .text($0) })
        }
        return connection
    }

    static func matching(_ connection: SQLiteConnection, _ field: String?, _ text: Text) async throws -> [Int] {
        try await connection.query("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", [.text(SearchFTS5.match(field: field, text))])
            .compactMap { $0.column("rowid")?.integer }
    }

    @Test func leavesFindWhatTheySay() async throws {
        let db = try await Self.table()
        defer { Task { try? await db.close() } }
        #expect(try await Self.matching(db, nil, .word("ocean")) == [1])  // accents and case folded
        #expect(try await Self.matching(db, nil, .word("OCÉAN")) == [1])
        #expect(try await Self.matching(db, "title", .word("sea")) == [1, 3])
        #expect(try await Self.matching(db, "keywords", .word("sea")) == [3])
        #expect(try await Self.matching(db, nil, .phrase("sea level")) == [1, 3])  // "Sea-level" tokenizes alike
        #expect(try await Self.matching(db, nil, .phrase("level sea")) == [])
        #expect(try await Self.matching(db, nil, .prefix("glac")) == [2])
        #expect(try await Self.matching(db, "creators", .word("curie")) == [2])
        #expect(try await Self.matching(db, nil, .phrase("10.5281/zenodo.123")) == [2])
        #expect(try await Self.matching(db, nil, .word("COVID-19:")) == [2])
        #expect(try await Self.matching(db, nil, .word("\"quoted\"")) == [3])
        #expect(try await Self.matching(db, nil, .word("NEAR")) == [3])
        #expect(try await Self.matching(db, nil, .word("AND")) == [3])
    }

    /// Every leaf of 5,000 random hostile queries runs in FTS5 without an error.
    @Test func hostileLeavesNeverFailInFTS5() async throws {
        let db = try await Self.table()
        defer { Task { try? await db.close() } }
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "\"", "(", ")", "*", "-", "+", ":", "^", "NEAR", "NEAR(", "AND", "OR", "NOT", "{", "}", ".", "10.5281/x.1", "\u{0}",
            "\u{7}", "é", "\u{301}", "\u{345}", "日本", "🙂", "title", "sea", "'", "\\", "ﬁ", "\u{200B}", "ß", "İ", "0",
        ]
        let parser = QueryParser()
        var leaves = 0
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 1...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined(
                separator: Bool.random(using: &generator) ? " " : "")
            guard let query = try? parser.parse(text) else { continue }
            for (field, leaf) in Self.leaves(query) {
                leaves += 1
                do {
                    _ = try await Self.matching(db, field, leaf)
                } catch {
                    Issue.record("\(text.debugDescription) → \(SearchFTS5.match(field: field, leaf)): \(error)")
                }
            }
        }
        #expect(leaves > 1000)
    }

    static func leaves(_ query: Query) -> [(String?, Text)] {
        switch query {
        case .text(let field, let text): [(field, text)]
        case .and(let parts), .or(let parts): parts.flatMap(leaves)
        case .not(let inner): leaves(inner)
        case .all, .exact, .dates: []
        }
    }
}

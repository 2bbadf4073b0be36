import SearchQuery
import Testing

/// api.md §9's query language, read into the syntax tree every backend compiles from.
@Suite struct QueryParserTests {
    let parser = QueryParser()

    func parse(_ text: String) throws -> Query { try parser.parse(text) }

    static func word(_ w: String, _ field: String? = nil) -> Query { .text(field: field, .word(w)) }
    static func phrase(_ p: String, _ field: String? = nil) -> Query { .text(field: field, .phrase(p)) }

    @Test(
        arguments: [
            ("", Query.all),
            ("   ", .all),
            ("*", .all),
            ("ocean", word("ocean")),
            ("ocean temperature", .and([word("ocean"), word("temperature")])),
            ("ocean AND temperature", .and([word("ocean"), word("temperature")])),
            ("ocean && temperature", .and([word("ocean"), word("temperature")])),
            ("ocean OR glacier", .or([word("ocean"), word("glacier")])),
            ("ocean || glacier", .or([word("ocean"), word("glacier")])),
            ("a b OR c", .or([.and([word("a"), word("b")]), word("c")])),
            ("a OR b c", .or([word("a"), .and([word("b"), word("c")])])),
            ("a (b OR c)", .and([word("a"), .or([word("b"), word("c")])])),
            ("NOT a", .not(word("a"))),
            ("!a", .not(word("a"))),
            ("-a b", .and([.not(word("a")), word("b")])),
            ("+a -b", .and([word("a"), .not(word("b"))])),
            ("a NOT b", .and([word("a"), .not(word("b"))])),
            ("\"sea level\"", phrase("sea level")),
            ("\"say \\\"hi\\\"\"", phrase("say \"hi\"")),
            ("ocea*", .text(field: nil, .prefix("ocea"))),
            ("title:ocean", word("ocean", "title")),
            ("title:\"sea level\"", phrase("sea level", "title")),
            ("title:(sea OR ocean)", .or([word("sea", "title"), word("ocean", "title")])),
            ("creators:Lovelace", word("Lovelace", "creators")),
            ("resource_type:dataset", .exact(field: "resource_type", value: "dataset")),
            (
                "resource_type:(dataset OR software)",
                .or([.exact(field: "resource_type", value: "dataset"), .exact(field: "resource_type", value: "software")])
            ),
            ("metadata.funding.award:ERC-123", .exact(field: "metadata.funding.award", value: "ERC-123")),
            ("doi:10.5281/zenodo.123", .exact(field: "doi", value: "10.5281/zenodo.123")),
            ("doi:\"10.5281/zenodo.123\"", .exact(field: "doi", value: "10.5281/zenodo.123")),
            ("id:42", .exact(field: "id", value: "42")),
            // Pasted identifiers are phrases.
            ("10.5281/zenodo.3378733", phrase("10.5281/zenodo.3378733")),
            ("10.1002/(SICI)1097-4636(199905)45:2<88::AID-JBM2>3.0.CO;2-D", phrase("10.1002/(SICI)1097-4636(199905)45:2<88::AID-JBM2>3.0.CO;2-D")),
            ("(10.5281/zenodo.1 OR ocean)", .or([phrase("10.5281/zenodo.1"), word("ocean")])),
            ("https://example.org/a?b=c:d", phrase("https://example.org/a?b=c:d")),
            ("0000-0002-1825-009X", phrase("0000-0002-1825-009X")),
            // Punctuation alone is no word; a colon before a space is punctuation.
            ("? ocean ... -- ;", word("ocean")),
            ("COVID-19: a study", .and([word("COVID-19:"), word("a"), word("study")])),
            // Operators in lower case are words.
            ("-", .all),
            ("rock and roll", .and([word("rock"), word("and"), word("roll")])),
        ] as [(String, Query)])
    func reads(text: String, expected: Query) throws {
        #expect(try parse(text) == expected, "\(text)")
    }

    @Test func datesCoverWholeYearsAndMonths() throws {
        func range(_ text: String) throws -> DateRange? {
            if case .dates(field: "publication_date", let range) = try parse(text) { return range }
            return nil
        }
        #expect(try range("publication_date:[2018 TO 2020]") == DateRange(from: "2018-01-01", until: "2021-01-01"))
        #expect(try range("publication_date:{2018 TO 2020}") == DateRange(from: "2019-01-01", until: "2020-01-01"))
        #expect(try range("publication_date:[2020-02 TO 2020-02]") == DateRange(from: "2020-02-01", until: "2020-03-01"))
        #expect(try range("publication_date:[2019-02-28 TO 2020-02-29]") == DateRange(from: "2019-02-28", until: "2020-03-01"))
        #expect(try range("publication_date:[2020-12-31 TO *]") == DateRange(from: "2020-12-31", until: nil))
        #expect(try range("publication_date:[* TO 2019-12]") == DateRange(from: nil, until: "2020-01-01"))
        #expect(try range("publication_date:>=2020") == DateRange(from: "2020-01-01", until: nil))
        #expect(try range("publication_date:>2020") == DateRange(from: "2021-01-01", until: nil))
        #expect(try range("publication_date:<2020-06") == DateRange(from: nil, until: "2020-06-01"))
        #expect(try range("publication_date:<=2020-06") == DateRange(from: nil, until: "2020-07-01"))
        #expect(try range("publication_date:2020") == DateRange(from: "2020-01-01", until: "2021-01-01"))
        #expect(try range("publication_date:[9999 TO *]") == DateRange(from: "9999-01-01", until: nil))
        #expect(try range("publication_date:[2018 TO 9999]") == DateRange(from: "2018-01-01", until: nil))
        let twenty = DateRange(from: "2018-01-01", until: "2021-01-01")
        #expect(twenty.contains("2020-12-31") && twenty.contains("2018-01-01") && !twenty.contains("2021-01-01"))
    }

    @Test(
        arguments: [
            ("\"open", 1, "quote"),
            ("ocean \"open", 7, "quote"),
            ("(ocean", 1, "'('"),
            ("ocean)", 6, "')'"),
            ("()", 1, "nothing between"),
            ("ocean AND", 7, "AND"),
            ("ocean OR", 7, "OR"),
            ("AND ocean", 1, "AND"),
            ("ocean OR OR sea", 10, "OR"),
            ("NOT", 1, "missing"),
            ("colour:red", 1, "unknown field 'colour'"),
            ("title:[a TO b]", 7, "dates only"),
            ("publication_date:[2020 TO]", 26, "bound is missing"),
            ("publication_date:[2020 2021]", 24, "TO"),
            ("publication_date:[2020 TO 2021", 18, "closing"),
            ("publication_date:2020-13", 18, "not a date"),
            ("publication_date:2019-02-29", 18, "not a date"),
            ("publication_date:>=soon", 20, "not a date"),
            ("resource_type:\"\"", 15, "empty value"),
        ] as [(String, Int, String?)])
    func errorsNameThePosition(text: String, position: Int, words: String?) {
        do {
            let query = try parser.parse(text)
            Issue.record("\(text) read as \(query)")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
            if let words { #expect(error.reason.contains(words), "\(text): \(error)") }
            #expect(error.description.contains("position \(position)"))
        }
    }

    @Test func limitsAreErrorsNotCrashes() {
        #expect(throws: QuerySyntaxError.self) { try parser.parse(String(repeating: "a ", count: 3000)) }
        #expect(throws: QuerySyntaxError.self) { try parser.parse(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)) }
        #expect(throws: QuerySyntaxError.self) { try parser.parse(String(repeating: "NOT ", count: 100) + "a") }
        #expect(throws: QuerySyntaxError.self) { try parser.parse(String(repeating: "-", count: 100) + "a") }
        #expect(throws: QuerySyntaxError.self) { try parser.parse((0..<300).map { "w\($0)" }.joined(separator: " ")) }
        #expect((try? parser.parse(String(repeating: "(", count: 30) + "a" + String(repeating: ")", count: 30))) == Self.word("a"))
    }

    /// Random and hostile strings: each reads or throws a syntax error inside the text; the same text always reads
    /// the same.
    @Test func hostileInputEitherReadsOrThrows() {
        var generator = SplitMix(seed: 19)
        let pieces = [
            "\"", "(", ")", "[", "]", "{", "}", ":", "*", "-", "+", "!", "&&", "||", "AND", "OR", "NOT", "TO", " ", "  ", "\t",
            "\u{0}", "\u{7}", "\n", "title:", "publication_date:", "doi:", "metadata.a.b:", "resource_type:", "10.5281/zenodo.1",
            "https://x.org/(a)", "0000-0002-1825-0097", "2020", "2020-02-30", ">=", "<", "\\", "é", "日本", "🙂", "\u{301}", "NEAR",
            "^", "~", "/", "ocean", "sea", "x*", "'", "%", "%00", "%zz", ";", "--", "/*", "ロ", "\u{202E}", "\u{FEFF}",
        ]
        var outcomes = 0
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int(generator.next() % 12) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            do {
                let query = try parser.parse(text)
                #expect(try parser.parse(text) == query)
            } catch {
                #expect(error.position >= 1 && error.position <= Array(text).count + 1, "\(text.debugDescription): \(error)")
            }
            outcomes += 1
        }
        #expect(outcomes == 5000)
    }
}

/// A small seeded generator (SplitMix64), so that a failure can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

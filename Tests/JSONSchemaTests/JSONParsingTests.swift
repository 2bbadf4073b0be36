import Testing

@testable import JSONSchema

struct JSONParsingTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSON(parsing: #" { "a" : [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": [] } "#)
        #expect(
            value
                == .object([
                    "a": .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]),
                    "b": .object(["c": .string("d")]),
                    "e": .array([]),
                ]))
    }

    @Test func parsesScalarsAtTheTopLevel() throws {
        #expect(try JSON(parsing: "42") == .number(42))
        #expect(try JSON(parsing: "\"x\"") == .string("x"))
        #expect(try JSON(parsing: " null\n") == .null)
        #expect(try JSON(parsing: "-0") == .number(-0.0))
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try JSON(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
        #expect(try JSON(parsing: "\u{FEFF}true") == .bool(true))
    }

    @Test func convertsTheExactNumberLiteral() throws {
        #expect(try JSON(parsing: "0.1") == .number(0.1))
        #expect(try JSON(parsing: "1E-2") == .number(0.01))
        #expect(try JSON(parsing: "1e+2") == .number(100))
        #expect(try JSON(parsing: "9007199254740993") == .number(9_007_199_254_740_992))
        #expect(try JSON(parsing: "123456789012345678901234567890") == .number(1.2345678901234568e29))
        #expect(try JSON(parsing: "2.2250738585072011e-308") == .number(2.225073858507201e-308))
        #expect(try JSON(parsing: "1e-400") == .number(0))
        #expect(try JSON(parsing: "-999999999999999") == .number(-999_999_999_999_999))
    }

    @Test func decodesEscapes() throws {
        #expect(try JSON(parsing: #""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSON(parsing: #""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try JSON(parsing: #""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSON(parsing: #""a\u0000b""#) == .string("a\u{0}b"))
    }

    @Test func replacesLoneSurrogatesWithTheReplacementCharacter() throws {
        #expect(try JSON(parsing: #""\uD800""#) == .string("\u{FFFD}"))
        #expect(try JSON(parsing: #""\uDC00x""#) == .string("\u{FFFD}x"))
        #expect(try JSON(parsing: #""\uD800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try JSON(parsing: #""\uD800\uD83D\uDE00""#) == .string("\u{FFFD}😀"))
        #expect(try JSON(parsing: #""\uD800\n""#) == .string("\u{FFFD}\n"))
    }

    @Test func keepsRawUTF8() throws {
        #expect(try JSON(parsing: "\"héllo 😀\"") == .string("héllo 😀"))
        #expect(try JSON(parsing: "\"\u{7F}\"") == .string("\u{7F}"))
    }

    @Test func keepsTheLastValueOfADuplicateKey() throws {
        #expect(try JSON(parsing: #"{"a": 1, "a": 2}"#) == .object(["a": .number(2)]))
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try JSON(parsing: text).arrayValue != nil)
    }

    @Test(arguments: [
        // (input, offset, line, column, message fragment)
        ("", 0, 1, 1, "end of input"),
        ("   ", 3, 1, 4, "end of input"),
        ("[1,]", 3, 1, 4, "trailing comma"),
        ("{\"a\":1,}", 7, 1, 8, "trailing comma"),
        ("[1 2]", 3, 1, 4, "expected ',' or ']'"),
        ("{\"a\" 1}", 5, 1, 6, "expected ':'"),
        ("{1:2}", 1, 1, 2, "expected a string key"),
        ("[01]", 1, 1, 2, "leading zero"),
        ("-01", 1, 1, 2, "leading zero"),
        ("[-]", 2, 1, 3, "digit after '-'"),
        ("1.", 2, 1, 3, "decimal point"),
        (".5", 0, 1, 1, "expected a value"),
        ("1e", 2, 1, 3, "exponent"),
        ("1e+", 3, 1, 4, "exponent"),
        ("+1", 0, 1, 1, "expected a value"),
        ("1e400", 0, 1, 1, "out of the range"),
        ("-1e400", 0, 1, 1, "out of the range"),
        ("tru", 0, 1, 1, "literal"),
        ("nul", 0, 1, 1, "literal"),
        ("True", 0, 1, 1, "expected a value"),
        ("NaN", 0, 1, 1, "expected a value"),
        ("\"abc", 0, 1, 1, "unterminated string"),
        ("\"a\tb\"", 2, 1, 3, "control character U+0009"),
        ("\"a\nb\"", 2, 1, 3, "control character U+000A"),
        ("\"\\x\"", 1, 1, 2, "invalid escape"),
        ("\"\\u12G4\"", 5, 1, 6, "hexadecimal"),
        ("'a'", 0, 1, 1, "expected a value"),
        ("[1]]", 3, 1, 4, "after the JSON value"),
        ("1 2", 2, 1, 3, "after the JSON value"),
        ("[\n  1,\n  ]", 9, 3, 3, "trailing comma"),
        ("{\r\n\"a\":\r\n x}", 10, 3, 2, "expected a value"),
        ("[\"é\", x]", 7, 1, 7, "expected a value"),
        ("/* c */ 1", 0, 1, 1, "expected a value"),
        ("[1,,2]", 3, 1, 4, "expected a value"),
    ])
    func rejectsInvalidText(input: String, offset: Int, line: Int, column: Int, message: String) {
        #expect {
            try JSON(parsing: input)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.offset == offset && error.line == line && error.column == column
                && error.message.contains(message)
        }
    }

    @Test func reportsThePositionInItsDescription() {
        #expect(throws: JSONParseError(offset: 3, line: 1, column: 4, message: "trailing comma in array")) {
            try JSON(parsing: "[1,]")
        }
        let error = JSONParseError(offset: 3, line: 1, column: 4, message: "trailing comma in array")
        #expect(error.description == "JSON parse error at line 1, column 4 (byte 3): trailing comma in array")
    }

    @Test func rejectsInvalidUTF8AtItsOffset() {
        #expect {
            try JSON(parsing: [UInt8(ascii: "\""), 0x61, 0xC3, 0x28, UInt8(ascii: "\"")])
        } throws: { error in
            (error as? JSONParseError)?.offset == 2
        }
        #expect {
            try JSON(parsing: [UInt8(ascii: "\""), 0x5C, 0x6E, 0xFF, UInt8(ascii: "\"")])
        } throws: { error in
            (error as? JSONParseError)?.offset == 3
        }
        #expect(throws: JSONParseError.self) { try JSON(parsing: [0xFF]) }
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let text = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect {
            try JSON(parsing: text)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.offset == 512 && error.message.contains("512")
        }
        let objects = String(repeating: "{\"a\":", count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(throws: JSONParseError.self) { try JSON(parsing: objects) }
    }

    @Test func rejectsALoneByteOrderMarkInTheMiddle() {
        #expect(throws: JSONParseError.self) { try JSON(parsing: "1\u{FEFF}") }
        #expect(throws: JSONParseError.self) { try JSON(parsing: "\u{FEFF}\u{FEFF}1") }
    }

    @Test func columnsSkipTheByteOrderMark() {
        #expect {
            try JSON(parsing: "\u{FEFF}x")
        } throws: { error in
            let error = error as? JSONParseError
            return error?.offset == 3 && error?.column == 1
        }
    }
}

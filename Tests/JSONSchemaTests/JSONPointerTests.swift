import Testing

@testable import JSONSchema

struct JSONPointerTests {
    /// RFC 6901 section 5's example document.
    static let document = try! JSON(
        parsing: #"""
            {
              "foo": ["bar", "baz"],
              "": 0,
              "a/b": 1,
              "c%d": 2,
              "e^f": 3,
              "g|h": 4,
              "i\\j": 5,
              "k\"l": 6,
              " ": 7,
              "m~n": 8
            }
            """#)

    /// RFC 6901 section 5's pointers and the values they refer to.
    @Test(
        arguments: [
            ("", nil), ("/foo", #"["bar", "baz"]"#), ("/foo/0", #""bar""#), ("/", "0"), ("/a~1b", "1"), ("/c%d", "2"),
            ("/e^f", "3"), ("/g|h", "4"), ("/i\\j", "5"), ("/k\"l", "6"), ("/ ", "7"), ("/m~0n", "8"),
        ] as [(String, String?)])
    func resolvesTheRFC6901Examples(pointer: String, expected: String?) throws {
        let value = Self.document.value(at: try JSONPointer(pointer))
        #expect(value == (try expected.map { try JSON(parsing: $0) } ?? Self.document))
    }

    @Test func parsesAndEscapesTokens() throws {
        #expect(try JSONPointer("").tokens == [])
        #expect(try JSONPointer("/").tokens == [""])
        #expect(try JSONPointer("//a/").tokens == ["", "a", ""])
        #expect(try JSONPointer("/a~1b/m~0n/~01").tokens == ["a/b", "m~n", "~1"])
        #expect(try JSONPointer("/é/😀").tokens == ["é", "😀"])
        #expect(JSONPointer(tokens: ["a/b", "m~n", "~1", ""]).description == "/a~1b/m~0n/~01/")
        #expect(JSONPointer().description == "")
    }

    @Test(arguments: ["a", "a/b", "/~", "/~2", "/a~", "/~a"])
    func rejectsInvalidText(text: String) {
        #expect(throws: JSONPointerError.self) { try JSONPointer(text) }
    }

    @Test func roundTripsThroughItsDescription() throws {
        let pointer = JSONPointer(tokens: ["~/", "", "0", "-", "a~1"])
        #expect(try JSONPointer(pointer.description) == pointer)
    }

    @Test func appendsTokensAndIndices() {
        let pointer = JSONPointer().appending("items").appending(3).appending("a/b")
        #expect(pointer.tokens == ["items", "3", "a/b"])
        #expect(pointer.description == "/items/3/a~1b")
    }

    @Test func readsArraysOnlyByPlainIndices() throws {
        let array: JSON = .array([.string("a"), .string("b")])
        #expect(array.value(at: try JSONPointer("/1")) == .string("b"))
        #expect(array.value(at: try JSONPointer("/2")) == nil)
        #expect(array.value(at: try JSONPointer("/-")) == nil)
        #expect(array.value(at: try JSONPointer("/01")) == nil)
        #expect(array.value(at: try JSONPointer("/+1")) == nil)
        #expect(array.value(at: try JSONPointer("/-1")) == nil)
        #expect(array.value(at: try JSONPointer("/1e0")) == nil)
        #expect(array.value(at: try JSONPointer("/")) == nil)
        #expect(array.value(at: try JSONPointer("/99999999999999999999999")) == nil)
    }

    @Test func findsNothingInsideScalarsOrMissingMembers() throws {
        #expect(Self.document.value(at: try JSONPointer("/foo/0/x")) == nil)
        #expect(Self.document.value(at: try JSONPointer("/missing")) == nil)
        #expect(JSON.number(1).value(at: try JSONPointer("/0")) == nil)
        #expect(JSON.null.value(at: JSONPointer()) == .null)
        #expect(JSON.object(["0": .bool(true)]).value(at: try JSONPointer("/0")) == .bool(true))
        #expect(JSON.object(["01": .bool(true)]).value(at: try JSONPointer("/01")) == .bool(true))
    }
}

import Testing

@testable import JSONSchema

/// Cases scripts/rdm-differential.sh found (Vellum's verdict differed from Python's jsonschema, Invenio's
/// validator), and one found reading the evaluator.
struct RegressionTests {
    static func valid(_ schema: String, _ instance: String) throws -> Bool {
        try CompiledSchema(try JSON(parsing: schema)).isValid(try JSON(parsing: instance))
    }

    /// Only `\n` ends a line, as in Python's `re`: `$` matches at the end or before a final `\n`, not before a final
    /// `\r`, U+2028 and the like, and `.` matches those (InvenioRDM's `pids` names and entity references).
    @Test(
        arguments: [
            (#""doi""#, true), (#""doi\n""#, true), (#""doi\r""#, false), (#""doi\r\n""#, false), (#""doi\u2028""#, false),
            (#""doi\u0085""#, false), (#""doi\u000b""#, false), (#""doi\u000c""#, false),
        ])
    func dollarOnlyBeforeAFinalLineFeed(instance: String, expected: Bool) throws {
        #expect(try Self.valid(#"{"pattern": "^[a-z_-][a-z0-9_-]*$"}"#, instance) == expected)
    }

    @Test(arguments: [(#""a\u2028b""#, true), (#""a\rb""#, true), (#""\u0085""#, true), (#""a\nb""#, false)])
    func dotMatchesAllButLineFeed(instance: String, expected: Bool) throws {
        #expect(try Self.valid(#"{"pattern": "^.+$"}"#, instance) == expected)
    }

    /// What a member's or an item's value evaluated is no annotation of the object or array holding it.
    @Test func annotationsOfAMemberStayInIt() throws {
        let schema = #"{"properties": {"a": {"properties": {"b": true}}}, "unevaluatedProperties": false}"#
        #expect(try !Self.valid(schema, #"{"a": {"b": 1}, "b": 2}"#))
        #expect(try Self.valid(schema, #"{"a": {"b": 1}}"#))
    }

    @Test func annotationsOfAnItemStayInIt() throws {
        let schema = #"{"prefixItems": [{"prefixItems": [true, true]}], "unevaluatedItems": false}"#
        #expect(try !Self.valid(schema, "[[1, 2], 3]"))
        #expect(try Self.valid(schema, "[[1, 2]]"))
    }

    /// A member name with `~` or `/` in an error's pointer is escaped (RFC 6901).
    @Test func escapesMemberNamesInPointers() throws {
        let schema = try CompiledSchema(try JSON(parsing: #"{"additionalProperties": false}"#))
        #expect(schema.validate(try JSON(parsing: #"{"a/b~c": 1, "d": 2}"#)).map(\.instanceLocation) == ["/a~1b~0c", "/d"])
    }

    /// A document of definitions may define a member called `$schema` (InvenioRDM's definitions-v1.0.0.json, found
    /// registering it with `PUT /schemas`): a `$schema` that is no string names no dialect; an unknown URI still
    /// makes the schema unusable.
    @Test func aSchemaMemberThatIsNoStringIsADefinition() throws {
        let registry = SchemaRegistry()
        let definitions = try CompiledSchema(
            try JSON(parsing: #"{"$id": "local://definitions.json", "$schema": {"type": "string"}}"#), registry: registry)
        #expect(definitions.unresolvedReferences.isEmpty)
        let schema = try CompiledSchema(
            try JSON(parsing: #"{"properties": {"$schema": {"$ref": "local://definitions.json#/$schema"}}}"#), registry: registry)
        #expect(schema.isValid(try JSON(parsing: #"{"$schema": "x"}"#)))
        #expect(!schema.isValid(try JSON(parsing: #"{"$schema": 1}"#)))
        #expect(throws: SchemaError.self) { try CompiledSchema(try JSON(parsing: #"{"$schema": "https://example.org/s"}"#)) }
    }
}

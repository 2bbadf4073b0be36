import Testing

@testable import JSONSchema

struct JSONPatchTests {
    func apply(_ patch: String, to document: String) throws -> JSON {
        try JSONPatch.apply(try JSON(parsing: patch), to: try JSON(parsing: document))
    }

    /// RFC 6902 Appendix A's examples that succeed (A.13, a duplicate "op" member, cannot be told apart once parsed).
    @Test(arguments: [
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        (#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (
            #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
            #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
            #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
        ),
        (
            #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
            #"{"foo":["all","cows","eat","grass"]}"#
        ),
        (
            #"{"baz":"qux","foo":["a",2,"c"]}"#, #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
            #"{"baz":"qux","foo":["a",2,"c"]}"#
        ),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar","child":{"grandchild":{}}}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        (#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),
    ])
    func appliesTheRFC6902Examples(document: String, patch: String, expected: String) throws {
        #expect(try apply(patch, to: document) == JSON(parsing: expected))
    }

    /// RFC 6902 Appendix A's examples that fail (A.9, A.12, A.15).
    @Test(arguments: [
        (#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#),
    ])
    func rejectsTheFailingRFC6902Examples(document: String, patch: String) {
        #expect(throws: JSONPatchError.self) { try apply(patch, to: document) }
    }

    @Test func namesTheFailingOperation() {
        let patch = #"[{"op":"add","path":"/a","value":1},{"op":"remove","path":"/missing"}]"#
        #expect {
            try apply(patch, to: "{}")
        } throws: { error in
            guard let error = error as? JSONPatchError else { return false }
            return error.operationIndex == 1 && error.message.contains("remove") && error.message.contains("/missing")
                && error.description.hasPrefix("JSON Patch operation 1 failed:")
        }
    }

    @Test func leavesTheDocumentUntouchedOnError() throws {
        let document = try JSON(parsing: #"{"a":[1,2],"b":{"c":3}}"#)
        let patch = try JSON(parsing: #"[{"op":"add","path":"/a/-","value":3},{"op":"remove","path":"/b/c"},{"op":"test","path":"/a/0","value":9}]"#)
        #expect(throws: JSONPatchError.self) { try JSONPatch.apply(patch, to: document) }
        #expect(document == (try JSON(parsing: #"{"a":[1,2],"b":{"c":3}}"#)))
    }

    @Test func rejectsMovingIntoItsOwnChild() throws {
        #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"move","from":"/a","path":"/a/b"}]"#, to: #"{"a":{"b":1}}"#) }
        #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"move","from":"","path":"/a"}]"#, to: #"{"a":1}"#) }
        #expect(try apply(#"[{"op":"move","from":"/a","path":"/ab"}]"#, to: #"{"a":1}"#) == JSON(parsing: #"{"ab":1}"#))
        #expect(try apply(#"[{"op":"move","from":"/a","path":"/a"}]"#, to: #"{"a":1}"#) == JSON(parsing: #"{"a":1}"#))
        #expect(try apply(#"[{"op":"move","from":"/a/b","path":"/a"}]"#, to: #"{"a":{"b":1}}"#) == JSON(parsing: #"{"a":1}"#))
        #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"move","from":"/x","path":"/x"}]"#, to: #"{"a":1}"#) }
    }

    @Test func changesTheWholeDocument() throws {
        #expect(try apply(#"[{"op":"replace","path":"","value":"bar"}]"#, to: #""foo""#) == .string("bar"))
        #expect(try apply(#"[{"op":"add","path":"","value":[1]}]"#, to: #"{"a":1}"#) == .array([.number(1)]))
        #expect(try apply(#"[{"op":"test","path":"","value":{"foo":1}}]"#, to: #"{"foo":1}"#) == .object(["foo": .number(1)]))
        #expect(try apply(#"[{"op":"copy","from":"","path":"/self"}]"#, to: #"{"a":1}"#) == JSON(parsing: #"{"a":1,"self":{"a":1}}"#))
        #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"remove","path":""}]"#, to: #"{"a":1}"#) }
    }

    @Test func copiesAndTestsByJSONEquality() throws {
        #expect(
            try apply(#"[{"op":"copy","from":"/a","path":"/b/-"}]"#, to: #"{"a":{"x":1},"b":[]}"#) == JSON(parsing: #"{"a":{"x":1},"b":[{"x":1}]}"#))
        #expect(try apply(#"[{"op":"test","path":"/a","value":1.0}]"#, to: #"{"a":1}"#) == JSON(parsing: #"{"a":1}"#))
        #expect(throws: JSONPatchError.self) { try apply(#"[{"op":"test","path":"/a","value":[2,1]}]"#, to: #"{"a":[1,2]}"#) }
    }

    @Test(arguments: [
        #"{}"#, #"[1]"#, #"[{"path":"/a"}]"#, #"[{"op":1,"path":"/a"}]"#, #"[{"op":"add","value":1}]"#,
        #"[{"op":"add","path":"a","value":1}]"#, #"[{"op":"add","path":"/a"}]"#, #"[{"op":"replace","path":"/a"}]"#,
        #"[{"op":"copy","path":"/b"}]"#, #"[{"op":"move","from":1,"path":"/b"}]"#, #"[{"op":"spam","path":"/a"}]"#,
        #"[{"op":"replace","path":"/missing","value":1}]"#, #"[{"op":"add","path":"/a/x","value":1}]"#,
        #"[{"op":"add","path":"/list/3","value":1}]"#, #"[{"op":"add","path":"/list/01","value":1}]"#,
        #"[{"op":"remove","path":"/list/-"}]"#, #"[{"op":"add","path":"/a/0","value":1}]"#,
    ])
    func rejectsMalformedOperations(patch: String) {
        #expect(throws: JSONPatchError.self) { try apply(patch, to: #"{"a":1,"list":[1,2]}"#) }
    }
}

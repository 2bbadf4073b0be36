import Foundation
import JSONSchema
import Testing
import VellumCore

@testable import VellumRecords

@Suite struct RevisionChainTests {
    let documents: [JSON] = [
        .object(["metadata": .object(["title": .string("A")])]),
        .object(["metadata": .object(["title": .string("B")]), "access": .object(["record": .string("public")])]),
        .object(["metadata": .object(["title": .string("C"), "keywords": .array([.string("x"), .number(1)])])]),
    ]

    func chain(_ documents: [JSON]) -> [(document: JSON, hash: String)] {
        var previous: String?
        return documents.map { document in
            let hash = RevisionChain.hash(after: previous, document)
            previous = hash
            return (document, hash)
        }
    }

    @Test func theHashIsSHA256OfThePreviousHashAndTheCanonicalJSON() {
        // RFC 8785 sorts keys and drops spaces: the first document is {"metadata":{"title":"A"}}.
        let first = RevisionChain.hash(after: nil, documents[0])
        #expect(first == "4e03151f1c005b9296fe618a240ab16fbf7049f5e075af95e3db19c02c83de7e")  // sha256sum of those bytes
        #expect(Array(documents[0].canonical) == Array(#"{"metadata":{"title":"A"}}"#.utf8))
        // Key order does not change the hash; a value does.
        let reordered = JSON.object(["access": .object(["record": .string("public")]), "metadata": .object(["title": .string("B")])])
        #expect(RevisionChain.hash(after: first, reordered) == RevisionChain.hash(after: first, documents[1]))
        #expect(RevisionChain.hash(after: first, documents[1]) != RevisionChain.hash(after: nil, documents[1]))
    }

    @Test func tamperingWithAnyRevisionIsFound() {
        let revisions = chain(documents)
        #expect(RevisionChain.firstBroken(revisions) == nil)
        var changed = revisions
        changed[1].document = .object(["metadata": .object(["title": .string("b")])])
        #expect(RevisionChain.firstBroken(changed) == 2)
        var removed = revisions
        removed.remove(at: 1)
        #expect(RevisionChain.firstBroken(removed) == 2)
        var swapped = revisions
        swapped.swapAt(0, 1)
        #expect(RevisionChain.firstBroken(swapped) == 1)
    }
}

@Suite struct RecordAccessTests {
    func day(_ text: String) -> Date { RecordAccess.Embargo(until: text).lifts! }

    @Test func anEmbargoLiftsAtTheStartOfItsDayUTC() throws {
        let access = try RecordAccess(json: try JSON(parsing: #"{"embargo": {"until": "2027-03-01", "reason": "paper"}}"#))
        #expect(access.isPublic(at: day("2027-03-01").addingTimeInterval(-1)) == (false, false))
        #expect(access.isPublic(at: day("2027-03-01")) == (true, true))
        #expect(access.json["embargo"]?["reason"] == .string("paper"))
    }

    @Test func restrictedFilesKeepTheMetadataPublic() throws {
        let access = try RecordAccess(json: try JSON(parsing: #"{"record": "public", "files": "restricted"}"#))
        #expect(access.isPublic(at: Date()) == (true, false))
        let hidden = try RecordAccess(json: try JSON(parsing: #"{"record": "restricted"}"#))
        #expect(hidden.isPublic(at: Date()) == (false, false))
        #expect(try RecordAccess(json: nil) == RecordAccess())
    }

    @Test func wrongValuesAreEachNamedByTheirPointer() {
        let body = #"{"record": "secret", "files": 3, "embargo": {"until": "2027-02-30"}, "colour": "red"}"#
        #expect(throws: RecordsError.self) { try RecordAccess(json: try JSON(parsing: body)) }
        do {
            _ = try RecordAccess(json: try JSON(parsing: body))
        } catch let error as RecordsError {
            #expect(error.reason == .invalid)
            #expect(error.fieldErrors.map(\.field) == ["/access/colour", "/access/embargo/until", "/access/files", "/access/record"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite struct RecordSchemaV1Tests {
    @Test func theBuiltInSchemaIsJSONWithApiMdsFields() throws {
        let schema = try JSON(parsing: RecordSchemaV1.text)
        #expect(schema["$schema"] == .string("https://json-schema.org/draft/2020-12/schema"))
        #expect(schema["required"] == .array(["title", "creators", "publication_date", "resource_type"].map(JSON.string)))
        let properties = try #require(schema["properties"]?.objectValue)
        #expect(
            Set(properties.keys) == [
                "title", "creators", "publication_date", "resource_type", "description", "keywords", "license", "version",
                "language", "related_identifiers",
            ])
        #expect(properties["resource_type"]?["enum"]?.arrayValue?.count == 11)
        #expect(properties["publication_date"]?["pattern"] == .string(#"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"#))
    }
}

@Suite struct RecordSchemasTests {
    @Test func namesArePathsOfPlainSegments() {
        for name in ["record-v1.0.0.json", "records/record-v6.0.0.json", "a_b/c-d.e"] {
            #expect(RecordSchemas.isValidName(name), "\(name)")
        }
        for name in ["", "/a.json", "a//b.json", "../a.json", "a/./b", "a b.json", "é.json", "a?.json", String(repeating: "a", count: 201)] {
            #expect(!RecordSchemas.isValidName(name), "\(name)")
        }
    }

    @Test func aRecordNamesASchemaLocallyOrByItsURL() {
        #expect(RecordSchemas.name(of: "local://records/record-v6.0.0.json") == "records/record-v6.0.0.json")
        #expect(RecordSchemas.name(of: "https://data.example.org/schemas/record-v1.0.0.json") == "record-v1.0.0.json")
        #expect(RecordSchemas.name(of: "https://example.org/other.json") == nil)
    }

    @Test func schemasReachEachOtherByLocalNames() throws {
        let person = #"{"type": "object", "required": ["name"]}"#
        let team = try RecordSchemas.compile(
            #"{"type": "array", "items": {"$ref": "local://lab/person.json"}}"#, name: "lab/team.json", with: [("lab/person.json", person)])
        #expect(team.unresolvedReferences.isEmpty)
        #expect(team.isValid(try JSON(parsing: #"[{"name": "Ada"}]"#)))
        #expect(!team.isValid(try JSON(parsing: #"[{}]"#)))
        let alone = try RecordSchemas.compile(#"{"items": {"$ref": "local://lab/person.json"}}"#, name: "lab/team.json", with: [])
        #expect(alone.unresolvedReferences == ["local://lab/person.json"])
    }

    /// A schema is `local://{name}` before it is registered: its references to itself (InvenioRDM's
    /// definitions-v1.0.0.json refers to `local://definitions-v1.0.0.json#/identifier`) and relative ones resolve.
    @Test func aSchemaReachesItselfByItsNameAndOthersRelatively() throws {
        let definitions = #"{"identifier": {"type": "string"}, "identifiers": {"items": {"$ref": "local://lab/definitions.json#/identifier"}}}"#
        let compiled = try RecordSchemas.compile(definitions, name: "lab/definitions.json", with: [])
        #expect(compiled.unresolvedReferences.isEmpty)
        let record = try RecordSchemas.compile(
            #"{"properties": {"ids": {"$ref": "definitions.json#/identifiers"}}}"#, name: "lab/record.json",
            with: [("lab/definitions.json", definitions)])
        #expect(record.unresolvedReferences.isEmpty)
        #expect(!record.isValid(try JSON(parsing: #"{"ids": ["a", 1]}"#)))
    }
}

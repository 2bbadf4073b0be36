import Foundation
import Testing

/// `vellum schema validate` (api.md §7): the records' engine on files, `--ref` for other documents, exit 0/1/2.
@Suite struct SchemaCLITests {
    func write(_ dir: String, _ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func validate(_ arguments: [String], in dir: String, input: String? = nil) async throws -> (status: Int32, output: String, errors: String) {
        try await TestServer.execute(try TestServer.binary(), ["schema", "validate"] + arguments, directory: dir, input: input)
    }

    @Test func recordsAgainstTheBuiltInSchema() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = try write(dir, "record.json", #"{"$ref": "local://record-v1.0.0.json"}"#)
        let good = try write(
            dir, "good.json",
            #"{"title": "Tides", "creators": [{"name": "Ada", "orcid": "0000-0002-1825-0097"}], "publication_date": "2026-12", "resource_type": "dataset", "license": "CC-BY-4.0", "language": "eng", "related_identifiers": [{"identifier": "10.5072/x", "scheme": "doi", "relation": "IsSupplementTo"}]}"#
        )
        let bad = try write(
            dir, "bad.json", #"{"creators": [], "publication_date": "2026-13-01", "resource_type": "novel", "colour": "red"}"#)
        let notJSON = try write(dir, "broken.json", "{")
        let result = try await validate([schema, good, bad, notJSON], in: dir)
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(good): valid")
        for expected in [
            "/title: is required", "/creators: must have at least 1 item", "/publication_date: must match", "/resource_type: must be one of",
            "/colour: is not allowed",
        ] {
            #expect(lines.contains { $0.hasPrefix("\(bad): invalid: ") && $0.contains(expected) }, "\(expected)")
        }
        #expect(lines.contains { $0.hasPrefix("\(notJSON): invalid: : not JSON") })
        #expect(try await validate([schema, good], in: dir).status == 0)
    }

    @Test func referencesResolveThroughRefDirectoriesOnly() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try write(dir, "schemas/person.json", #"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}"#)
        let schema = try write(
            dir, "team.json",
            #"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": {"$ref": "https://example.org/schemas/person.json"}}"#)
        let team = try write(dir, "team-data.json", #"[{"name": "Ada"}, {"name": 3}]"#)
        let result = try await validate([schema, team, "--ref", "https://example.org/schemas/=\(dir)/schemas"], in: dir)
        #expect(result.status == 1)
        #expect(result.output.contains("\(team): invalid: /1/name: must be string, not an integer"))
        // Without the mapping, nothing is fetched: the schema is unusable, and the reference is named.
        let unmapped = try await validate([schema, team], in: dir)
        #expect(unmapped.status == 2 && unmapped.errors.contains("refers to https://example.org/schemas/person.json"))
        // A schema that is not one: exit status 2.
        let broken = try write(dir, "broken-schema.json", "[1, 2]")
        #expect(try await validate([broken, team], in: dir).status == 2)
    }

    /// A directory stands for every `.json` file under it, sorted; `-` for JSON Lines on standard input.
    @Test func directoriesAndStandardInput() async throws {
        let dir = try TestServer.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = try write(dir, "schema.json", #"{"type": "object", "required": ["id"]}"#)
        _ = try write(dir, "set/b/two.json", #"{"id": 2}"#)
        _ = try write(dir, "set/a.json", #"{"name": "no id"}"#)
        _ = try write(dir, "set/notes.txt", "not an instance")
        let folder = try await validate([schema, "\(dir)/set"], in: dir)
        #expect(folder.status == 1)
        #expect(folder.output == "\(dir)/set/a.json: invalid: /id: is required\n\(dir)/set/b/two.json: valid\n")
        let lines = try await validate([schema, "-"], in: dir, input: "{\"id\": 1}\n\n[\n[]\n{\"id\": 3}\n")
        #expect(lines.status == 1)
        let output = lines.output.split(separator: "\n").map(String.init)
        #expect(output.count == 4 && output[1].hasPrefix("-:3: invalid: : not JSON"), "\(lines.output)")
        #expect([output[0], output[2], output[3]] == ["-:1: valid", "-:4: invalid: : must be object, not an array", "-:5: valid"])
    }
}

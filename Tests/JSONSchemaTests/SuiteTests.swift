import Foundation
import Testing

@testable import JSONSchema

/// The official JSON-Schema-Test-Suite (shipped in PyPI's `jsonschema` 4.26.0 sdist; `scripts/json-test-suites.sh`
/// fetches it): the required tests of each draft, and the pass rates of the optional ones (printed).
@Suite struct SuiteTests {
    static let root: String = {
        let folder = ProcessInfo.processInfo.environment["VELLUM_JSON_SUITES"] ?? "/tmp/vellum-json-suites"
        return folder + "/jsonschema-4.26.0/json"
    }()

    static let drafts: [(folder: String, dialect: Dialect)] = [
        ("draft2020-12", .draft202012), ("draft2019-09", .draft201909), ("draft7", .draft7), ("draft6", .draft6), ("draft4", .draft4),
    ]

    /// The suite's remote documents, as `http://localhost:1234/…`.
    static func registry(_ dialect: Dialect) throws -> SchemaRegistry {
        let registry = SchemaRegistry()
        // The drafts' metaschemas and vocabularies (PyPI's jsonschema-specifications), under their own ids.
        let metaschemas =
            (ProcessInfo.processInfo.environment["VELLUM_JSON_SUITES"] ?? "/tmp/vellum-json-suites")
            + "/jsonschema_specifications-2025.9.1/jsonschema_specifications/schemas"
        for path in (FileManager.default.subpaths(atPath: metaschemas) ?? []).sorted() where !path.hasPrefix("draft3") {
            guard let data = FileManager.default.contents(atPath: metaschemas + "/" + path), let document = try? JSON(parsing: [UInt8](data)),
                let id = (document["$id"] ?? document["id"])?.stringValue
            else { continue }
            try registry.register(document, uri: id, dialect: dialect)
        }
        let folder = root + "/remotes"
        for path in (FileManager.default.subpaths(atPath: folder) ?? []).sorted() where path.hasSuffix(".json") {
            let document = try JSON(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path))))
            try registry.register(document, uri: "http://localhost:1234/" + path, dialect: dialect)
        }
        return registry
    }

    struct Result {
        var passed = 0
        var failures: [String] = []
    }

    /// Runs every case of the files in `folder`.
    static func run(_ folder: String, dialect: Dialect, formatAssertion: Bool) throws -> Result {
        var result = Result()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
        for file in files {
            let groups = try JSON(parsing: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))))
            for group in groups.arrayValue ?? [] {
                let description = group["description"]?.stringValue ?? ""
                let registry = try registry(dialect)
                let schema = try? CompiledSchema(group["schema"]!, registry: registry, defaultDialect: dialect, formatAssertion: formatAssertion)
                for test in group["tests"]?.arrayValue ?? [] {
                    let expected = test["valid"]?.boolValue ?? false
                    let valid = schema?.isValid(test["data"]!)
                    if valid == expected {
                        result.passed += 1
                    } else {
                        result.failures.append("\(file) — \(description) — \(test["description"]?.stringValue ?? "")")
                    }
                }
            }
        }
        return result
    }

    @Test(arguments: drafts.map(\.folder)) func requiredTestsPass(folder: String) throws {
        let dialect = Self.drafts.first { $0.folder == folder }!.dialect
        let path = Self.root + "/tests/" + folder
        try #require(FileManager.default.fileExists(atPath: path), "Missing \(path): run scripts/json-test-suites.sh")
        let result = try Self.run(path, dialect: dialect, formatAssertion: false)
        print("JSON-Schema-Test-Suite \(folder) required: \(result.passed) of \(result.passed + result.failures.count) pass")
        for failure in result.failures.prefix(400) { print("  FAIL \(failure)") }
        #expect(result.passed > 0)
        #expect(result.failures.isEmpty, "\(folder): \(result.failures.count) failures")
    }

    @Test(arguments: drafts.map(\.folder)) func optionalPassRates(folder: String) throws {
        let dialect = Self.drafts.first { $0.folder == folder }!.dialect
        let optional = try Self.run(Self.root + "/tests/" + folder + "/optional", dialect: dialect, formatAssertion: false)
        let format = try Self.run(Self.root + "/tests/" + folder + "/optional/format", dialect: dialect, formatAssertion: true)
        print(
            "JSON-Schema-Test-Suite \(folder) optional: \(optional.passed) of \(optional.passed + optional.failures.count); format: \(format.passed) of \(format.passed + format.failures.count)"
        )
        #expect(optional.passed + format.passed > 0)
    }
}

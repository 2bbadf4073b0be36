import Testing

@testable import JSONSchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON Patch cases of the PyPI `jsonpatch` 1.33 sdist (`tests.js`), fetched by `scripts/json-test-suites.sh`.
struct JSONPatchOutsideCasesTests {
    /// The folder `scripts/json-test-suites.sh` fills: `$VELLUM_JSON_SUITES`, or /tmp/vellum-json-suites.
    static var suitesFolder: String {
        ProcessInfo.processInfo.environment["VELLUM_JSON_SUITES"] ?? "/tmp/vellum-json-suites"
    }

    /// Reads the cases, or records why they are missing.
    static func loadCases() throws -> [JSON]? {
        let path = suitesFolder + "/jsonpatch-1.33/tests.js"
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("Missing \(path): run scripts/json-test-suites.sh (or set VELLUM_JSON_SUITES to its folder)")
            return nil
        }
        return try #require(try JSON(parsing: [UInt8](data)).arrayValue, "tests.js is not an array")
    }

    /// Every case with `expected` gives that result, every case with `error` throws, and a case with neither
    /// applies without error; cases marked `disabled` are skipped (3 in 1.33).
    @Test func passesTheJSONPatchCases() throws {
        guard let cases = try Self.loadCases() else { return }
        var passed = 0
        var skipped = 0
        for (index, testCase) in cases.enumerated() {
            let comment = "case \(index): \(testCase["comment"]?.stringValue ?? testCase["error"]?.stringValue ?? "")"
            if testCase["disabled"] == .bool(true) {
                skipped += 1
                continue
            }
            let document = try #require(testCase["doc"], "\(comment) has no doc")
            let patch = try #require(testCase["patch"], "\(comment) has no patch")
            if testCase["error"] != nil {
                #expect(throws: JSONPatchError.self, Comment(rawValue: comment)) { try JSONPatch.apply(patch, to: document) }
                if (try? JSONPatch.apply(patch, to: document)) == nil { passed += 1 }
            } else {
                do {
                    let result = try JSONPatch.apply(patch, to: document)
                    if let expected = testCase["expected"] {
                        #expect(result == expected, Comment(rawValue: comment))
                        if result == expected { passed += 1 }
                    } else {
                        passed += 1
                    }
                } catch {
                    Issue.record("\(comment) threw \(error)")
                }
            }
        }
        #expect(cases.count == 80)
        #expect(skipped == 3)
        #expect(passed == 77)
    }
}

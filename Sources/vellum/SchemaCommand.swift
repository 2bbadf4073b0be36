import ArgumentParser
import Foundation
import JSONSchema
import Logging
import VellumCore
import VellumRecords

/// `vellum schema validate SCHEMA INSTANCE...` (api.md §7): each instance checked against the schema by the engine
/// records use, with nothing fetched from the network: `$ref`s to other documents resolve to the files of
/// `--ref BASE_URI=DIR` and to the built-in record schema (`local://record-v1.0.0.json`). `vellum schema migrate`
/// moves records from one registered schema to another.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Check JSON documents against a JSON Schema; move records to another schema.",
        subcommands: [Validate.self, Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the records of one schema to another, with a patch; nothing changes unless every record can move.",
            discussion: """
                Every record whose $schema names --from gets the patch (a JSON Patch array, or a merge patch object, \
                on the record's JSON: /metadata/...) and $schema local://TO. First all of them are checked against \
                the new schema (published records strictly, drafts for values of the wrong type); if any would \
                fail, each is listed (RECORD: cannot move: POINTER: MESSAGE) and nothing changes (exit status 1). \
                Else each record gets a new revision (actor schema-migrate), one transaction each; a record changed \
                meanwhile is listed and left (exit status 1; run again).
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "The schema the records name now (registered name, e.g. record-v1.0.0.json).") var from: String
        @Option(help: "The schema they move to.") var to: String
        @Option(help: "A JSON file: a JSON Patch (array) or a merge patch (object) applied to each record.") var patch: String
        @Flag(help: "Check and report only.") var dryRun = false

        func run() async throws {
            let patch = try Validate.read(self.patch)
            guard patch.arrayValue != nil || patch.objectValue != nil else {
                throw ArgumentParser.ValidationError("--patch is a JSON Patch array or a merge patch object.")
            }
            let settings = try common.settings()
            let (from, to, dryRun) = (self.from, self.to, self.dryRun)
            let failed = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                let records = try settings.records(runtime.filesContext)
                let plan = try await records.planMigration(from: from, to: to, patch: patch)
                let blocked = plan.filter { !$0.errors.isEmpty }
                for migration in blocked {
                    for error in migration.errors { print("\(migration.id): cannot move: \(error.field): \(error.message)") }
                }
                guard blocked.isEmpty else {
                    print("\(blocked.count) of \(plan.count) records cannot move; nothing changed")
                    return true
                }
                if dryRun {
                    print("\(plan.count) records would move from \(from) to \(to)")
                    return false
                }
                var moved = 0
                var changed = false
                for migration in plan {
                    do {
                        try await records.migrate(migration, actor: "schema-migrate")
                        moved += 1
                    } catch {
                        print("\(migration.id): not moved: \(error)")
                        changed = true
                    }
                }
                print("\(moved) records moved from \(from) to \(to)")
                return changed
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate instances: exit status 0 when all are valid, 1 when some are not, 2 when the schema is invalid or unreadable.")
        @Argument(help: "The schema, a JSON file (draft-04, -06, -07, 2019-09 or 2020-12, by its $schema).") var schema: String
        @Argument(help: "The instances: JSON files, directories (each .json file under them), - (JSON Lines on standard input).")
        var instances: [String]
        @Option(name: .customLong("ref"), help: "BASE_URI=DIR: documents under BASE_URI are the JSON files under DIR (repeatable).")
        var references: [String] = []
        @Flag(help: "Check `format` too (dates, e-mail addresses, URIs, …), as an assertion.") var formats = false

        func run() throws {
            let compiled: CompiledSchema
            do {
                let registry = SchemaRegistry()
                try registry.register(try JSON(parsing: RecordSchemaV1.text), uri: "local://" + RecordSchemaV1.name)
                for reference in references {
                    guard let equals = reference.firstIndex(of: "="), equals != reference.startIndex else {
                        throw ArgumentParser.ValidationError("--ref takes BASE_URI=DIR, not \(reference).")
                    }
                    try Self.register(
                        directory: String(reference[reference.index(after: equals)...]), base: String(reference[..<equals]),
                        in: registry)
                }
                compiled = try CompiledSchema(try Self.read(schema), registry: registry, formatAssertion: formats)
                if let missing = compiled.unresolvedReferences.first {
                    throw SchemaError("it refers to \(missing), which no known schema is (see --ref)")
                }
            } catch let error as ArgumentParser.ValidationError {
                throw error
            } catch {
                FileHandle.standardError.write(Data("\(schema): not a usable schema: \(error)\n".utf8))
                throw ExitCode(2)
            }
            var allValid = true
            for instance in instances {
                Self.eachDocument(instance) { name, document in
                    let errors: [(String, String)]
                    do {
                        errors = compiled.validate(try document()).map { ($0.instanceLocation, $0.message) }
                    } catch {
                        errors = [("", "not JSON: \(error)")]
                    }
                    if errors.isEmpty { print("\(name): valid") }
                    for (pointer, message) in errors { print("\(name): invalid: \(pointer): \(message)") }
                    allValid = allValid && errors.isEmpty
                }
            }
            if !allValid { throw ExitCode(1) }
        }

        /// The instances an argument names, each with a name and a way to read it: a file; every `.json` file
        /// under a directory (sorted); or, for `-`, each line of standard input (JSON Lines), named `-:LINE`.
        static func eachDocument(_ argument: String, _ body: (String, () throws -> JSON) -> Void) {
            if argument == "-" {
                var number = 0
                while let line = readLine(strippingNewline: true) {
                    number += 1
                    if !line.allSatisfy(\.isWhitespace) { body("-:\(number)") { try JSON(parsing: line) } }
                }
                return
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue else {
                return body(argument) { try read(argument) }
            }
            let folder = argument.hasSuffix("/") ? argument : argument + "/"
            for path in (FileManager.default.subpaths(atPath: argument) ?? []).filter({ $0.hasSuffix(".json") }).sorted() {
                body(folder + path) { try read(folder + path) }
            }
        }

        static func read(_ path: String) throws -> JSON {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ArgumentParser.ValidationError("\(path) cannot be read.")
            }
            return try JSON(parsing: [UInt8](data))
        }

        /// Every `.json` file under `directory`, as `base` followed by its path there.
        static func register(directory: String, base: String, in registry: SchemaRegistry) throws {
            guard let paths = FileManager.default.subpaths(atPath: directory) else {
                throw ArgumentParser.ValidationError("\(directory) cannot be read.")
            }
            let prefix = base.hasSuffix("/") ? base : base + "/"
            for path in paths.sorted() where path.hasSuffix(".json") {
                try registry.register(try read(directory + "/" + path), uri: prefix + path)
            }
        }
    }
}

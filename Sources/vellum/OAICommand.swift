import ArgumentParser
import Logging
import VellumRecords

/// `vellum oai set add|list|remove` (api.md §10): OAI-PMH's named sets, each the records a search query finds.
struct OAICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oai", abstract: "Manage the OAI-PMH endpoint's named sets.", subcommands: [SetCommand.self])

    struct SetCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Add, list and remove named sets.", subcommands: [Add.self, List.self, Remove.self])
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a set: the records QUERY finds (the search language of GET /records).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The setSpec: letters, digits and -_.!~*'() (named sets are flat: no ':').") var spec: String
        @Argument(help: "The set's name, as ListSets gives it.") var name: String
        @Argument(help: "The search query, e.g. 'keywords:climate'.") var query: String

        func run() async throws {
            let settings = try common.settings()
            let set = OAISet(spec: spec, name: name, query: query)
            try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).addOAISet(set)
            }
            print("set \(spec) added")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the named sets: spec, name and query.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let sets = try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).oaiNamedSets()
            }
            print(sets.isEmpty ? "No named sets." : sets.map { "\($0.spec)\t\($0.name)\t\($0.query)" }.joined(separator: "\n"))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a named set (its records stay).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The set's spec.") var spec: String

        func run() async throws {
            let settings = try common.settings()
            let spec = self.spec
            try await Runtime.with(settings, logger: Logger(label: "vellum")) { runtime in
                try await settings.records(runtime.filesContext).removeOAISet(spec)
            }
            print("set \(spec) removed")
        }
    }
}

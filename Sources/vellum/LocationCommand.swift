import ArgumentParser
import Foundation
import Logging
import VellumCore

/// `vellum location add NAME URI [--default]`, `vellum location list` and `vellum location default NAME`; work with
/// or without a running daemon.
struct LocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location", abstract: "Manage storage locations.", subcommands: [Add.self, List.self, Default.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a storage location.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "Name: lowercase letters, digits and '-'.") var name: String
        @Argument(help: "file:///absolute/path or s3://BUCKET[/PREFIX]?endpoint=URL&region=R") var uri: String
        @Flag(name: .customLong("default"), help: "Make it the default location for new buckets.") var isDefault = false

        func run() async throws {
            try Location.validate(name: name)
            try await Runtime.with(try common.settings(), logger: Logger(label: "vellum")) { runtime in
                try await runtime.storage.add(Location(name: name, uri: uri, isDefault: isDefault, created: Date()))
            }
            print("added location \(name) \(uri)\(isDefault ? " (default)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List storage locations.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let locations = try await Runtime.with(try common.settings(), logger: Logger(label: "vellum")) { runtime in
                try await runtime.store.read { try await $0.locations() }
            }
            for location in locations {
                print("\(location.name)\t\(location.uri)\(location.isDefault ? "\tdefault" : "")")
            }
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a location the default for new buckets (existing buckets keep theirs).")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The location's name.") var name: String

        func run() async throws {
            try await Runtime.with(try common.settings(), logger: Logger(label: "vellum")) { runtime in
                try await runtime.store.write { [name] session in
                    guard try await session.locations().contains(where: { $0.name == name }) else {
                        throw FilesError(.notFound, "No storage location named '\(name)'.")
                    }
                    try await session.setDefaultLocation(name)
                }
            }
            print("default location \(name)")
        }
    }
}

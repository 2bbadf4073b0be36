import ArgumentParser
import Foundation
import Logging
import VellumCore

/// `vellum location add NAME URI [--default]` and `vellum location list`; work with or without a running daemon.
struct LocationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location", abstract: "Manage storage locations.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a storage location.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "Name: lowercase letters, digits and '-'.") var name: String
        @Argument(help: "file:///absolute/path or s3://BUCKET[/PREFIX]?endpoint=URL&region=R") var uri: String
        @Flag(name: .customLong("default"), help: "Make it the default location for new buckets.") var isDefault = false

        func run() async throws {
            try Location.validate(name: name)
            let runtime = try await Runtime.open(try common.settings(), logger: Logger(label: "vellum"))
            do {
                try await runtime.storage.add(Location(name: name, uri: uri, isDefault: isDefault, created: Date()))
            } catch {
                await runtime.shutdown()
                throw ValidationError("\(error)")
            }
            await runtime.shutdown()
            print("added location \(name) \(uri)\(isDefault ? " (default)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List storage locations.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let runtime = try await Runtime.open(try common.settings(), logger: Logger(label: "vellum"))
            let locations = try await runtime.store.read { try await $0.locations() }
            await runtime.shutdown()
            for location in locations {
                print("\(location.name)\t\(location.uri)\(location.isDefault ? "\tdefault" : "")")
            }
        }
    }
}

import ArgumentParser
import Logging
import VellumCore

/// `vellum token create --name N [--admin]`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print its secret once.")

        @OptionGroup var common: CommonOptions
        @Option(help: "A name to recognise the token by.") var name: String
        @Flag(help: "Allow everything, on every bucket.") var admin = false

        func run() async throws {
            let runtime = try await Runtime.open(try common.settings(), logger: Logger(label: "vellum"))
            let (_, secret) = try await TokenService(store: runtime.store).create(name: name, isAdmin: admin)
            print(secret)
            await runtime.shutdown()
        }
    }
}

import ArgumentParser
import Foundation
import VellumCore

/// The `vellum` command.
@main
struct Vellum: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Files-first object storage and file-integrity daemon.",
        subcommands: [
            ServeCommand.self, TokenCommand.self, LocationCommand.self, PutCommand.self, GCCommand.self, FixityCommand.self, DBCommand.self,
            MigrateCommand.self, WorkerCommand.self, RecordsCommand.self, SchemaCommand.self, PIDCommand.self, SearchCommand.self, OAICommand.self,
        ])

    /// swift-argument-parser's `main`, but a domain error ends the process with its own exit status
    /// (`ExitCode(for:)`) after its message, where the parser's would exit 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as any DomainError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            exit(withError: ExitCode(for: error))
        } catch {
            exit(withError: error)
        }
    }
}

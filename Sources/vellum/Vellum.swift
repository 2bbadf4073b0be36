import ArgumentParser

/// The `vellum` command.
@main
struct Vellum: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Files-first object storage and file-integrity daemon.",
        subcommands: [
            ServeCommand.self, TokenCommand.self, LocationCommand.self, PutCommand.self, GCCommand.self, FixityCommand.self, DBCommand.self,
            MigrateCommand.self, WorkerCommand.self,
        ])
}

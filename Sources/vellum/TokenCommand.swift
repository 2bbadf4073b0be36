import ArgumentParser
import Foundation
import Logging
import VellumCore

/// `vellum token create|list|revoke`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self, List.self, Revoke.self])

    /// Runs `body` with a token service on the configured database.
    static func withTokens(_ common: CommonOptions, _ body: (TokenService) async throws -> Void) async throws {
        try await Runtime.with(try common.settings(), logger: Logger(label: "vellum")) { runtime in
            try await body(TokenService(store: runtime.store))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print its secret once.")

        @OptionGroup var common: CommonOptions
        @Option(help: "A name to recognise the token by (unique among tokens in use).") var name: String
        @Flag(help: "Allow everything, on every bucket.") var admin = false
        @Option(help: "Stop working after this long: 3600, 90s, 30m, 12h, 90d (default: never).") var expires: String?

        func run() async throws {
            let lifetime = try expires.map { try SettingValue.duration($0, name: "--expires") }
            try await TokenCommand.withTokens(common) { tokens in
                let (_, secret) = try await tokens.create(
                    name: name, isAdmin: admin, expires: lifetime.map { Date(timeIntervalSinceNow: $0) })
                print(secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens: name, admin, created, expires, last used and state (never secrets).")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await TokenCommand.withTokens(common) { tokens in
                let now = Date()
                let rows = try await tokens.list().map { token in
                    [
                        token.name, token.isAdmin ? "yes" : "no", Self.time(token.created), token.expires.map(Self.time) ?? "never",
                        token.lastUsed.map(Self.time) ?? "never",
                        token.revoked != nil ? "revoked" : token.isValid(at: now) ? "active" : "expired",
                    ]
                }
                TextTable.print(["NAME", "ADMIN", "CREATED", "EXPIRES", "LAST USED", "STATE"], rows)
            }
        }

        static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke the token called NAME: refused from the next request on, by every daemon.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The token's name.") var name: String

        func run() async throws {
            try await TokenCommand.withTokens(common) { try await $0.revoke(name: name) }
        }
    }
}

import Foundation
import JSONSchema
import Synchronization
import VellumCore

/// The schemas records may name by `$schema` (`local://{name}` or `{public url}/schemas/{name}`): the built-in
/// `record-v1.0.0.json` and those registered with `PUT /schemas/{name}`, which never change once registered — so a
/// compiled schema, once made, is kept for good, by every daemon alike.
public final class RecordSchemas: Sendable {
    let store: any MetadataStore
    let compiled = Mutex<[String: CompiledSchema]>([:])

    init(store: any MetadataStore) { self.store = store }

    /// Names are paths of letters, digits, `.`, `_` and `-` (InvenioRDM's are like `records/record-v6.0.0.json`).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200
            && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
                !segment.isEmpty && segment != "." && segment != ".."
                    && segment.unicodeScalars.allSatisfy {
                        $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "._-".unicodeScalars.contains($0))
                    }
            }
    }

    /// `local://{name}` or `…/schemas/{name}` → the name.
    static func name(of reference: String) -> String? {
        if reference.hasPrefix("local://") { return String(reference.dropFirst("local://".count)) }
        guard let range = reference.range(of: "/schemas/", options: .backwards) else { return nil }
        return String(reference[range.upperBound...])
    }

    /// The text of a schema, built-in or registered.
    public func text(_ name: String) async throws -> String? {
        if name == RecordSchemaV1.name { return RecordSchemaV1.text }
        return try await store.read { try await $0.queries(RecordQueries.self).schema(name) }
    }

    /// The compiled schema a record's `$schema` names, or nil when it names none.
    func schema(for reference: String) async throws -> CompiledSchema? {
        guard let name = Self.name(of: reference) else { return nil }
        if let schema = compiled.withLock({ $0[name] }) { return schema }
        // An unknown name costs one lookup; a known one, the registered schemas its references may reach.
        guard let text = try await self.text(name) else { return nil }
        let schema = try Self.compile(text, name: name, with: try await store.read { try await $0.queries(RecordQueries.self).schemas() })
        compiled.withLock { $0[name] = schema }
        return schema
    }

    /// Schema `name`, known as `local://{name}`, whose `$ref`s reach the built-in and the registered schemas by
    /// `local://{name}` (or relative to its own name).
    static func compile(_ text: String, name: String, with registered: [(name: String, text: String)]) throws -> CompiledSchema {
        let registry = SchemaRegistry()
        for (name, text) in [(RecordSchemaV1.name, RecordSchemaV1.text)] + registered {
            try registry.register(try JSON(parsing: text), uri: "local://" + name)
        }
        return try CompiledSchema(try JSON(parsing: text), registry: registry, uri: "local://" + name)
    }

    /// Registers `text` as `name` (admins only): true when it is new, false when the same schema is already there; a
    /// different one under that name is refused (409), as is a body that is not a usable schema (400).
    public func register(_ name: String, text: String, by principal: Principal) async throws -> Bool {
        guard principal.isAdmin else { throw principal.refusal }
        guard Self.isValidName(name) else {
            throw RecordsError(.invalid, "A schema name is made of letters, digits, '.', '_', '-' and '/'.")
        }
        let schema: JSON
        do { schema = try JSON(parsing: text) } catch { throw RecordsError(.invalid, "The schema is not JSON: \(error).") }
        return try await store.write { session in
            let queries = try session.queries(RecordQueries.self)
            let existing = name == RecordSchemaV1.name ? RecordSchemaV1.text : try await queries.schema(name)
            if let existing {
                guard (try? JSON(parsing: existing)) == schema else {
                    throw RecordsError(.conflict, "A different schema is already registered as \(name); schemas never change.")
                }
                return false
            }
            let compiled: CompiledSchema
            do { compiled = try Self.compile(text, name: name, with: try await queries.schemas()) } catch {
                throw RecordsError(.invalid, "Not a usable schema: \(error).")
            }
            if let missing = compiled.unresolvedReferences.first {
                throw RecordsError(.invalid, "The schema refers to \(missing), which no registered schema is (register that one first).")
            }
            try await queries.insertSchema(name: name, text: schema.serialized(), created: Date())
            return true
        }
    }
}

/// One reason an instance does not match a schema: where in the instance, which keyword, and a sentence.
public struct ValidationError: Sendable, Equatable, CustomStringConvertible {
    /// A JSON pointer into the instance.
    public var instanceLocation: String
    /// A JSON pointer into the schema, through the keywords that led there (`/properties/title/type`).
    public var keywordLocation: String
    public var message: String

    public init(instanceLocation: String, keywordLocation: String, message: String) {
        self.instanceLocation = instanceLocation
        self.keywordLocation = keywordLocation
        self.message = message
    }

    public var description: String { "\(instanceLocation): \(message)" }
}

/// A schema that cannot be used: not a schema, or a reference to nothing the registry holds.
public struct SchemaError: Error, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A schema ready to validate instances: registered (with its resources and anchors), and compiled with every
/// schema it refers to.
public struct CompiledSchema: Sendable {
    let root: SchemaNode
    let compiler: SchemaCompiler

    /// The base URI a schema without an `$id` gets.
    public static let defaultBase = "urn:vellum:schema"

    /// `uri`: the URI the schema is known by (its `$id` resolves against it), where its references to itself and
    /// relative ones start.
    public init(
        _ schema: JSON, registry: SchemaRegistry = SchemaRegistry(), defaultDialect: Dialect = .draft202012,
        formatAssertion: Bool = false, uri: String = defaultBase
    ) throws {
        switch schema {
        case .object, .bool: break
        default: throw SchemaError("A schema is a JSON object or a boolean.")
        }
        // A `$schema` that is no string names no dialect: in a document of definitions (InvenioRDM's
        // definitions-v1.0.0.json) it is the definition of a member called `$schema`.
        if let uri = schema["$schema"]?.stringValue, Dialect(metaschema: uri) == nil, registry.resource(uri) == nil {
            throw SchemaError("Unknown $schema \(uri).")
        }
        var dialect = SchemaRegistry.dialect(of: schema) ?? defaultDialect
        // A custom metaschema: its own dialect, and whether its `$vocabulary` has the validation vocabulary.
        var validation = true
        if let uri = schema["$schema"]?.stringValue, Dialect(metaschema: uri) == nil, let metaschema = registry.resource(uri) {
            dialect = SchemaRegistry.dialect(of: metaschema.schema) ?? dialect
            if let vocabularies = metaschema.schema["$vocabulary"]?.objectValue {
                validation = vocabularies.keys.contains { $0.hasSuffix("/vocab/validation") }
            }
        }
        var base = uri
        if let id = schema[dialect.idKeyword]?.stringValue, !(dialect.refOverridesSiblings && schema["$ref"] != nil) {
            base = SchemaRegistry.withoutFragment(SchemaRegistry.resolve(id, against: uri))
        }
        try registry.register(schema, uri: base, dialect: dialect)
        compiler = SchemaCompiler(registry: registry, validation: validation, formatAssertion: formatAssertion)
        root = compiler.node(SchemaRegistry.Located(schema: schema, base: base, dialect: dialect))
    }

    /// Every error, in the order the schema's keywords meet them.
    public func validate(_ instance: JSON) -> [ValidationError] {
        Evaluator(compiler: compiler).evaluate(root, instance, scope: []).errors
    }

    public func isValid(_ instance: JSON) -> Bool { validate(instance).isEmpty }

    /// The references (`$ref`, `$dynamicRef`, `$recursiveRef`) in the schema that reach no known schema: a schema
    /// kept for later use (a registry) is checked with it, as validation would only report them instance by instance.
    public var unresolvedReferences: [String] {
        var missing: [String] = []
        func visit(_ schema: JSON, base: String) {
            switch schema {
            case .array(let items): for item in items { visit(item, base: base) }
            case .object(let members):
                var base = base
                if let id = members[root.dialect.idKeyword]?.stringValue, !id.hasPrefix("#") {
                    base = SchemaRegistry.withoutFragment(SchemaRegistry.resolve(id, against: base))
                }
                for (key, value) in members {
                    switch key {
                    case "$ref", "$dynamicRef", "$recursiveRef":
                        if let reference = value.stringValue, compiler.registry.locate(reference, base: base) == nil { missing.append(reference) }
                    // Values, not schemas: a `$ref` member there is data.
                    case "enum", "const", "examples", "default": break
                    default: visit(value, base: base)
                    }
                }
            default: break
            }
        }
        visit(root.schema, base: root.base)
        return missing.sorted()
    }
}

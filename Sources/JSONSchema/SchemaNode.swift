import Foundation

/// A schema compiled for evaluation: its keywords read once, as its dialect reads them, into fields, and its
/// subschemas and the targets of its references already compiled, so that evaluating an instance looks nothing up
/// by name. Made by `SchemaCompiler`, which links the nodes (a graph: references may loop) and never changes them
/// afterwards.
final class SchemaNode: @unchecked Sendable {
    /// `true` (or a value that is no schema: it asserts nothing), `false`, or an object.
    enum Kind { case always, never, object }

    /// A reference keyword: its text, and the node it names (nil when the registry had none at compilation).
    struct Reference {
        var keyword: String
        var text: String
        var target: SchemaNode?
    }

    struct Member {
        var name: String
        var node: SchemaNode
    }

    /// `pattern` (no node) or one of `patternProperties`.
    struct Pattern {
        var source: String
        /// nil for a pattern the regular expression engine cannot read: it asserts nothing.
        var expression: NSRegularExpression?
        var node: SchemaNode?
    }

    /// The JSON types of `type`, as bits of `typeBit`.
    struct Types {
        var bits: UInt8
        var names: [String]
    }

    let kind: Kind
    let schema: JSON
    /// The base URI in effect in the schema (its own `$id` applied), and its dialect.
    let base: String
    let dialect: Dialect

    /// Before 2019-09 `$ref` makes its siblings ignored: nothing else is compiled.
    var ref: Reference?
    var dynamicRef: Reference?
    var recursiveRef: Reference?

    var types: Types?
    var enumValues: [JSON]?
    var const: JSON?
    var allOf: [SchemaNode]?
    var anyOf: [SchemaNode]?
    var oneOf: [SchemaNode]?
    var not: SchemaNode?
    var `if`: SchemaNode?
    var then: SchemaNode?
    var `else`: SchemaNode?

    var multipleOf: Double?
    var maximum: Double?
    var minimum: Double?
    /// draft-04's boolean forms of `exclusiveMaximum` and `exclusiveMinimum`.
    var maximumIsExclusive = false
    var minimumIsExclusive = false
    var exclusiveMaximum: Double?
    var exclusiveMinimum: Double?

    var maxLength: Double?
    var minLength: Double?
    var pattern: Pattern?
    var format: String?

    var maxItems: Double?
    var minItems: Double?
    var uniqueItems = false
    /// `prefixItems` (2020-12) or an array of `items` (before), with its keyword.
    var positional: (keyword: String, nodes: [SchemaNode])?
    /// The schema of the items after the positional ones: `items`, or `additionalItems`.
    var rest: (keyword: String, node: SchemaNode)?
    var contains: SchemaNode?
    var minContains = 1
    var maxContains: Int?
    var unevaluatedItems: SchemaNode?

    var maxProperties: Double?
    var minProperties: Double?
    var required: [String] = []
    var dependentRequired: [(key: String, names: [String])] = []
    /// By key, sorted.
    var dependentSchemas: [Member] = []
    var propertyNames: SchemaNode?
    var properties: [String: SchemaNode] = [:]
    var patternProperties: [Pattern] = []
    var additionalProperties: SchemaNode?
    var unevaluatedProperties: SchemaNode?
    /// Whether the node has any keyword about arrays or objects, to skip those instances' work when it has none.
    var hasArrayKeywords = false
    var hasObjectKeywords = false

    init(kind: Kind, schema: JSON, base: String, dialect: Dialect) {
        self.kind = kind
        self.schema = schema
        self.base = base
        self.dialect = dialect
    }

    static func typeBit(_ name: String) -> UInt8 {
        switch name {
        case "null": 1
        case "boolean": 2
        case "number": 4
        case "string": 8
        case "array": 16
        case "object": 32
        case "integer": 64
        default: 0
        }
    }

    static func typeBits(of instance: JSON) -> UInt8 {
        switch instance {
        case .null: 1
        case .bool: 2
        case .number: instance.isInteger ? 4 | 64 : 4
        case .string: 8
        case .array: 16
        case .object: 32
        }
    }
}

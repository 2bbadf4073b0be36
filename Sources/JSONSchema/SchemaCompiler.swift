import Foundation
import Synchronization

/// Turns located schemas into `SchemaNode`s, each schema (at one base, in one dialect) once: a reference to a
/// schema already compiled, or being compiled (a loop), gets that node. A compiled schema's whole graph is made up
/// front; what only the evaluation can name (a `$dynamicRef`'s target in the dynamic scope, a reference to a
/// document registered later) is compiled when first met, under the same lock.
final class SchemaCompiler: Sendable {
    struct Key: Hashable {
        var schema: JSON
        var base: String
        var dialect: Dialect
    }

    let registry: SchemaRegistry
    /// Whether the validation vocabulary's keywords (`type`, `minimum`, `required`, …) apply.
    let validation: Bool
    let formatAssertion: Bool
    private let nodes = Mutex<[Key: SchemaNode]>([:])

    init(registry: SchemaRegistry, validation: Bool, formatAssertion: Bool) {
        self.registry = registry
        self.validation = validation
        self.formatAssertion = formatAssertion
    }

    func node(_ located: SchemaRegistry.Located) -> SchemaNode {
        nodes.withLock { compile(located, &$0) }
    }

    /// What `reference` names from `base` now (nil if nothing).
    func node(reference: String, base: String) -> SchemaNode? {
        registry.locate(reference, base: base).map(node)
    }

    private func compile(_ at: SchemaRegistry.Located, _ nodes: inout [Key: SchemaNode]) -> SchemaNode {
        guard case .object(let members) = at.schema else {
            return SchemaNode(kind: at.schema == .bool(false) ? .never : .always, schema: at.schema, base: at.base, dialect: at.dialect)
        }
        var dialect = at.dialect
        if let own = members["$schema"]?.stringValue.flatMap(Dialect.init(metaschema:)) { dialect = own }
        var base = at.base
        if !at.ownBase, let id = members[dialect.idKeyword]?.stringValue, !id.hasPrefix("#"),
            !(dialect.refOverridesSiblings && members["$ref"] != nil)
        {
            base = SchemaRegistry.withoutFragment(SchemaRegistry.resolve(id, against: at.base))
        }
        let key = Key(schema: at.schema, base: base, dialect: dialect)
        if let known = nodes[key] { return known }
        let node = SchemaNode(kind: .object, schema: at.schema, base: base, dialect: dialect)
        nodes[key] = node
        fill(node, members, &nodes)
        return node
    }

    private func fill(_ node: SchemaNode, _ members: [String: JSON], _ nodes: inout [Key: SchemaNode]) {
        let dialect = node.dialect
        func sub(_ schema: JSON) -> SchemaNode {
            compile(SchemaRegistry.Located(schema: schema, base: node.base, dialect: dialect, ownBase: false), &nodes)
        }
        func list(_ name: String) -> [SchemaNode]? { members[name]?.arrayValue?.map(sub) }
        func number(_ name: String) -> Double? { validation ? members[name]?.numberValue : nil }
        func reference(_ keyword: String) -> SchemaNode.Reference? {
            guard let text = members[keyword]?.stringValue else { return nil }
            let target = registry.locate(text, base: node.base).map { compile($0, &nodes) }
            return SchemaNode.Reference(keyword: keyword, text: text, target: target)
        }

        node.ref = reference("$ref")
        if dialect.refOverridesSiblings, node.ref != nil { return }
        if dialect == .draft202012 { node.dynamicRef = reference("$dynamicRef") }
        if dialect == .draft201909 { node.recursiveRef = reference("$recursiveRef") }

        if validation, let type = members["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            node.types = SchemaNode.Types(bits: names.reduce(0) { $0 | SchemaNode.typeBit($1) }, names: names)
        }
        if validation { node.enumValues = members["enum"]?.arrayValue }
        if validation, dialect >= .draft6 { node.const = members["const"] }
        node.allOf = list("allOf")
        node.anyOf = list("anyOf")
        node.oneOf = list("oneOf")
        node.not = members["not"].map(sub)
        if dialect >= .draft7, let condition = members["if"] {
            node.if = sub(condition)
            node.then = members["then"].map(sub)
            node.else = members["else"].map(sub)
        }

        node.multipleOf = number("multipleOf").flatMap { $0 > 0 ? $0 : nil }
        node.maximum = number("maximum")
        node.minimum = number("minimum")
        if dialect == .draft4 {
            node.maximumIsExclusive = members["exclusiveMaximum"] == .bool(true)
            node.minimumIsExclusive = members["exclusiveMinimum"] == .bool(true)
        } else {
            node.exclusiveMaximum = number("exclusiveMaximum")
            node.exclusiveMinimum = number("exclusiveMinimum")
        }

        node.maxLength = number("maxLength")
        node.minLength = number("minLength")
        if validation, let pattern = members["pattern"]?.stringValue {
            node.pattern = SchemaNode.Pattern(source: pattern, expression: Evaluator.expression(pattern))
        }
        if validation, formatAssertion { node.format = members["format"]?.stringValue }

        node.maxItems = number("maxItems")
        node.minItems = number("minItems")
        node.uniqueItems = validation && members["uniqueItems"] == .bool(true)
        if dialect == .draft202012 {
            node.positional = list("prefixItems").map { ("prefixItems", $0) }
            node.rest = members["items"].map { ("items", sub($0)) }
        } else if let items = members["items"] {
            if let positional = items.arrayValue {
                node.positional = ("items", positional.map(sub))
                node.rest = members["additionalItems"].map { ("additionalItems", sub($0)) }
            } else {
                node.rest = ("items", sub(items))
            }
        }
        if dialect >= .draft6 { node.contains = members["contains"].map(sub) }
        if dialect >= .draft201909 {
            node.minContains = Int(members["minContains"]?.numberValue ?? 1)
            node.maxContains = members["maxContains"]?.numberValue.map(Int.init)
            node.unevaluatedItems = members["unevaluatedItems"].map(sub)
        }

        node.maxProperties = number("maxProperties")
        node.minProperties = number("minProperties")
        if validation { node.required = members["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var dependentRequired = dialect >= .draft201909 && validation ? members["dependentRequired"]?.objectValue ?? [:] : [:]
        var dependentSchemas = dialect >= .draft201909 ? members["dependentSchemas"]?.objectValue ?? [:] : [:]
        if dialect < .draft201909, let dependencies = members["dependencies"]?.objectValue {
            for (key, value) in dependencies {
                if value.arrayValue != nil {
                    if validation { dependentRequired[key] = value }
                } else {
                    dependentSchemas[key] = value
                }
            }
        }
        node.dependentRequired = dependentRequired.sorted { $0.key < $1.key }.map {
            ($0.key, $0.value.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        node.dependentSchemas = dependentSchemas.sorted { $0.key < $1.key }.map { SchemaNode.Member(name: $0.key, node: sub($0.value)) }
        if dialect >= .draft6 { node.propertyNames = members["propertyNames"].map(sub) }
        node.properties = (members["properties"]?.objectValue ?? [:]).mapValues(sub)
        node.patternProperties = (members["patternProperties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
            SchemaNode.Pattern(source: $0.key, expression: Evaluator.expression($0.key), node: sub($0.value))
        }
        node.additionalProperties = members["additionalProperties"].map(sub)
        if dialect >= .draft201909 { node.unevaluatedProperties = members["unevaluatedProperties"].map(sub) }

        node.hasArrayKeywords =
            node.maxItems != nil || node.minItems != nil || node.uniqueItems || node.positional != nil || node.rest != nil
            || node.contains != nil || node.unevaluatedItems != nil
        node.hasObjectKeywords =
            node.maxProperties != nil || node.minProperties != nil || !node.required.isEmpty || !node.dependentRequired.isEmpty
            || !node.dependentSchemas.isEmpty || node.propertyNames != nil || !node.properties.isEmpty
            || !node.patternProperties.isEmpty || node.additionalProperties != nil || node.unevaluatedProperties != nil
    }
}

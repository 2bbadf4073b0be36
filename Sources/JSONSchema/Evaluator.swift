import Foundation

/// Applies a compiled schema to an instance, collecting errors and the annotations `unevaluatedProperties` and
/// `unevaluatedItems` need (which members and items were evaluated).
final class Evaluator {
    let compiler: SchemaCompiler
    /// Whether to note which members and items were evaluated: only when some schema has `unevaluatedProperties`
    /// or `unevaluatedItems`, which read those notes.
    let annotations: Bool
    /// How deep references have gone: a schema that only refers to itself stops here instead of looping.
    var depth = 0

    struct Outcome {
        var errors: [ValidationError] = []
        var properties: Set<String> = []
        var items: Set<Int> = []
        var valid: Bool { errors.isEmpty }

        mutating func absorb(_ other: Outcome) {
            errors += other.errors
            if other.valid { annotate(other) }
        }

        /// Puts its errors, whose locations are relative to the schema and the instance evaluated, under `keyword`
        /// (keywords from the evaluating schema) and `member` (a pointer from the evaluating instance's, empty for
        /// the same instance): paths are built for errors only, not for every evaluation.
        mutating func locate(keyword: String, member: String) {
            for n in errors.indices {
                errors[n].instanceLocation = member + errors[n].instanceLocation
                errors[n].keywordLocation = keyword + errors[n].keywordLocation
            }
        }

        mutating func annotate(_ other: Outcome) {
            if !other.properties.isEmpty { properties.formUnion(other.properties) }
            if !other.items.isEmpty { items.formUnion(other.items) }
        }

        mutating func fail(_ keyword: String, _ message: String) {
            errors.append(ValidationError(instanceLocation: "", keywordLocation: "/" + keyword, message: message))
        }
    }

    init(compiler: SchemaCompiler) {
        self.compiler = compiler
        annotations = compiler.registry.index.withLock { $0.annotations }
    }

    /// A subschema's outcome on `value`: `keyword` leads to the subschema, `member` to the value ("" for the same
    /// instance); both are only built for errors.
    func sub(
        _ node: SchemaNode, _ keyword: @autoclosure () -> String, _ value: JSON, _ member: @autoclosure () -> String, _ scope: [String]
    ) -> Outcome {
        var result = evaluate(node, value, scope: scope)
        if !result.errors.isEmpty { result.locate(keyword: "/" + keyword(), member: member()) }
        return result
    }

    /// `scope`: the base URIs of the resources entered so far, outermost first (for `$dynamicRef`, `$recursiveRef`).
    /// The errors' locations are relative to `node` and `instance` (see `Outcome.locate`).
    func evaluate(_ node: SchemaNode, _ instance: JSON, scope: [String]) -> Outcome {
        var outcome = Outcome()
        switch node.kind {
        case .always: return outcome
        case .never:
            outcome.errors.append(ValidationError(instanceLocation: "", keywordLocation: "", message: "nothing is allowed here"))
            return outcome
        case .object: break
        }
        var scope = scope
        if scope.last != node.base { scope.append(node.base) }
        // Failed assertions of this schema, listed after what its subschemas found.
        var failures = Outcome()

        // References.
        if let reference = node.ref {
            outcome.absorb(follow(reference, from: node, instance, scope))
            if node.dialect.refOverridesSiblings { return outcome }
        }
        if let reference = node.dynamicRef {
            outcome.absorb(follow(reference, from: node, instance, scope) { self.dynamicTarget(reference, $0, scope) })
        }
        if let reference = node.recursiveRef { outcome.absorb(follow(reference, from: node, instance, scope) { self.recursiveTarget($0, scope) }) }

        // Any instance.
        if let types = node.types, types.bits & SchemaNode.typeBits(of: instance) == 0 {
            failures.fail("type", "must be \(types.names.joined(separator: " or ")), not \(Self.typeName(instance))")
        }
        if let values = node.enumValues, !values.contains(instance) { failures.fail("enum", "must be one of the listed values") }
        if let value = node.const, value != instance { failures.fail("const", "must be \(value.serialized())") }
        if let list = node.allOf {
            var passed: [Outcome] = []
            var failed: [ValidationError] = []
            for (n, subschema) in list.enumerated() {
                let result = sub(subschema, "allOf/\(n)", instance, "", scope)
                if result.valid { passed.append(result) } else { failed += result.errors }
            }
            if failed.isEmpty { for result in passed { outcome.annotate(result) } } else { outcome.errors += failed }
        }
        /// `anyOf` (at least one passes) or `oneOf` (exactly one): the annotations of those that pass.
        func choice(_ keyword: String, _ list: [SchemaNode]) {
            var passed: [Outcome] = []
            for (n, subschema) in list.enumerated() {
                let result = sub(subschema, "\(keyword)/\(n)", instance, "", scope)
                if result.valid { passed.append(result) }
            }
            if keyword == "anyOf" {
                if passed.isEmpty { failures.fail(keyword, "must match at least one of the schemas") }
                for result in passed { outcome.annotate(result) }
            } else if passed.count == 1 {
                outcome.annotate(passed[0])
            } else {
                failures.fail(keyword, "must match exactly one of the schemas, not \(passed.count)")
            }
        }
        if let list = node.anyOf { choice("anyOf", list) }
        if let list = node.oneOf { choice("oneOf", list) }
        if let not = node.not, evaluate(not, instance, scope: scope).valid { failures.fail("not", "must not match the schema") }
        if let condition = node.if {
            let test = evaluate(condition, instance, scope: scope)
            if test.valid {
                outcome.annotate(test)
                if let then = node.then { outcome.absorb(sub(then, "then", instance, "", scope)) }
            } else if let otherwise = node.else {
                outcome.absorb(sub(otherwise, "else", instance, "", scope))
            }
        }

        switch instance {
        case .number(let number): numberKeywords(node, number, &failures)
        case .string(let string): stringKeywords(node, string, &failures)
        case .array(let elements) where node.hasArrayKeywords: arrayKeywords(node, elements, scope, &outcome, &failures)
        case .object(let members) where node.hasObjectKeywords: objectKeywords(node, members, scope, &outcome, &failures)
        default: break
        }
        outcome.errors += failures.errors
        return outcome
    }

    // MARK: References

    /// A reference keyword: its target's outcome, the target chosen by `choose` from the one the reference names
    /// (the dynamic keywords may pick another); an unknown target or a loop is an error.
    func follow(
        _ reference: SchemaNode.Reference, from node: SchemaNode, _ instance: JSON, _ scope: [String],
        choose: (SchemaNode) -> SchemaNode = { $0 }
    ) -> Outcome {
        guard depth < 64, let target = reference.target ?? compiler.node(reference: reference.text, base: node.base) else {
            var outcome = Outcome()
            outcome.fail(
                reference.keyword,
                depth < 64 ? "refers to \(reference.text), which no known schema is" : "refers too deeply (a reference loop)")
            return outcome
        }
        depth += 1
        defer { depth -= 1 }
        var outcome = evaluate(choose(target), instance, scope: scope)
        if !outcome.errors.isEmpty { outcome.locate(keyword: "/" + reference.keyword, member: "") }
        return outcome
    }

    /// `$dynamicRef` (2020-12): its target, unless that is a `$dynamicAnchor` of the reference's name: then the
    /// outermost resource in the dynamic scope with such an anchor.
    func dynamicTarget(_ reference: SchemaNode.Reference, _ target: SchemaNode, _ scope: [String]) -> SchemaNode {
        guard let name = SchemaRegistry.fragment(of: reference.text), !name.isEmpty, !name.hasPrefix("/"),
            target.schema["$dynamicAnchor"]?.stringValue == name
        else { return target }
        return scope.lazy.compactMap { self.compiler.registry.dynamicAnchor(name, in: $0) }.first.map(compiler.node) ?? target
    }

    /// `$recursiveRef` (2019-09): its target, unless that has `$recursiveAnchor: true`: then the outermost resource
    /// of the dynamic scope that has it too.
    func recursiveTarget(_ target: SchemaNode, _ scope: [String]) -> SchemaNode {
        guard target.schema["$recursiveAnchor"] == .bool(true) else { return target }
        let anchored = scope.lazy.compactMap { self.compiler.registry.resource($0) }.first { $0.schema["$recursiveAnchor"] == .bool(true) }
        return anchored.map(compiler.node) ?? target
    }

    static func typeName(_ instance: JSON) -> String {
        switch instance {
        case .null: "null"
        case .bool: "a boolean"
        case .number: instance.isInteger ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

import Foundation

/// Applies a schema to an instance, keyword by keyword, as the schema's dialect reads them, collecting errors and
/// the annotations `unevaluatedProperties` and `unevaluatedItems` need (which members and items were evaluated).
final class Evaluator {
    let registry: SchemaRegistry
    let formatAssertion: Bool
    /// Whether the validation vocabulary's keywords (`type`, `minimum`, `required`, …) apply.
    let validation: Bool
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
            if other.valid {
                properties.formUnion(other.properties)
                items.formUnion(other.items)
            }
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
            properties.formUnion(other.properties)
            items.formUnion(other.items)
        }
    }

    init(registry: SchemaRegistry, formatAssertion: Bool, validation: Bool = true) {
        self.registry = registry
        self.formatAssertion = formatAssertion
        self.validation = validation
        annotations = registry.index.withLock { $0.annotations }
    }

    /// `scope`: the base URIs of the resources entered so far, outermost first (for `$dynamicRef`, `$recursiveRef`).
    /// The errors' locations are relative to `at` and `instance` (see `Outcome.locate`).
    func evaluate(_ at: SchemaRegistry.Located, _ instance: JSON, scope: [String]) -> Outcome {
        var outcome = Outcome()
        // Failed assertions, apart from `outcome` (which the keyword functions also change).
        var failures: [ValidationError] = []
        func fail(_ keyword: String, _ message: String) {
            failures.append(ValidationError(instanceLocation: "", keywordLocation: "/" + keyword, message: message))
        }
        switch at.schema {
        case .bool(true): return outcome
        case .bool(false):
            outcome.errors.append(ValidationError(instanceLocation: "", keywordLocation: "", message: "nothing is allowed here"))
            return outcome
        case .object: break
        default: return outcome
        }
        let schema = SchemaObject(at.schema.objectValue!)
        var here = at
        if let own = schema[.schema]?.stringValue.flatMap(Dialect.init(metaschema:)) { here.dialect = own }
        let dialect = here.dialect
        var scope = scope
        if !at.ownBase, let id = schema[dialect == .draft4 ? .id : .dollarID]?.stringValue, !id.hasPrefix("#"),
            !(dialect.refOverridesSiblings && schema[.ref] != nil)
        {
            here.base = SchemaRegistry.withoutFragment(SchemaRegistry.resolve(id, against: at.base))
        }
        here.ownBase = true
        if scope.last != here.base { scope.append(here.base) }

        /// A subschema's outcome on `value`: `keyword` leads to the subschema, `member` to the value ("" for the
        /// same instance); both are only built for errors.
        func sub(_ schema: JSON, _ keyword: @autoclosure () -> String, _ value: JSON, _ member: @autoclosure () -> String) -> Outcome {
            var located = here
            located.schema = schema
            located.ownBase = false
            var result = evaluate(located, value, scope: scope)
            if !result.errors.isEmpty { result.locate(keyword: "/" + keyword(), member: member()) }
            return result
        }

        // References.
        if let reference = schema[.ref]?.stringValue {
            outcome.absorb(follow("$ref", reference, from: here, instance, scope))
            if dialect.refOverridesSiblings { return outcome }
        }
        if dialect == .draft202012, let reference = schema[.dynamicRef]?.stringValue {
            outcome.absorb(
                follow("$dynamicRef", reference, from: here, instance, scope) {
                    self.dynamicTarget(reference, $0, scope)
                })
        }
        if dialect == .draft201909, let reference = schema[.recursiveRef]?.stringValue {
            outcome.absorb(
                follow("$recursiveRef", reference, from: here, instance, scope) { self.recursiveTarget($0, scope) })
        }

        // Any instance.
        if validation, let type = schema[.type] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !names.contains(where: { Self.has(instance, type: $0) }) {
                fail("type", "must be \(names.joined(separator: " or ")), not \(Self.typeName(instance))")
            }
        }
        if validation, let values = schema[.enum]?.arrayValue, !values.contains(instance) { fail("enum", "must be one of the listed values") }
        if validation, dialect >= .draft6, let value = schema[.const], value != instance { fail("const", "must be \(value.serialized())") }
        for (key, keyword) in Self.combinators where schema.has(key) {
            guard let list = schema[key]?.arrayValue else { continue }
            var passed: [Outcome] = []
            var failed: [ValidationError] = []
            for (n, subschema) in list.enumerated() {
                let result = sub(subschema, "\(keyword)/\(n)", instance, "")
                if result.valid { passed.append(result) } else { failed += result.errors }
            }
            switch keyword {
            case "allOf":
                if passed.count == list.count { for result in passed { outcome.annotate(result) } } else { outcome.errors += failed }
            case "anyOf":
                if passed.isEmpty {
                    fail(keyword, "must match at least one of the schemas")
                } else {
                    for result in passed { outcome.annotate(result) }
                }
            default:
                if passed.count == 1 {
                    outcome.annotate(passed[0])
                } else {
                    fail(keyword, "must match exactly one of the schemas, not \(passed.count)")
                }
            }
        }
        if let not = schema[.not], sub(not, "not", instance, "").valid { fail("not", "must not match the schema") }
        if dialect >= .draft7, let condition = schema[.if] {
            let test = sub(condition, "if", instance, "")
            if test.valid {
                outcome.annotate(test)
                if let then = schema[.then] { outcome.absorb(sub(then, "then", instance, "")) }
            } else if let otherwise = schema[.else] {
                outcome.absorb(sub(otherwise, "else", instance, ""))
            }
        }

        switch instance {
        case .number(let number) where validation: numberKeywords(schema, number, dialect: dialect, fail: fail)
        case .string(let string) where validation: stringKeywords(schema, string, fail: fail)
        case .array(let elements):
            arrayKeywords(schema, elements, here: here, scope: scope, outcome: &outcome, sub: sub, fail: fail)
        case .object(let members):
            objectKeywords(schema, members, here: here, outcome: &outcome, sub: sub, fail: fail)
        default: break
        }
        outcome.errors += failures
        return outcome
    }

    // MARK: References

    /// A reference keyword: its target's outcome, the target chosen by `choose` from the one the reference names
    /// (the dynamic keywords may pick another); an unknown target or a loop is an error.
    func follow(
        _ keyword: String, _ reference: String, from here: SchemaRegistry.Located, _ instance: JSON, _ scope: [String],
        choose: (SchemaRegistry.Located) -> SchemaRegistry.Located = { $0 }
    ) -> Outcome {
        guard depth < 64, let target = registry.locate(reference, base: here.base) else {
            var outcome = Outcome()
            let message = depth < 64 ? "refers to \(reference), which no known schema is" : "refers too deeply (a reference loop)"
            outcome.errors.append(ValidationError(instanceLocation: "", keywordLocation: "/" + keyword, message: message))
            return outcome
        }
        depth += 1
        defer { depth -= 1 }
        var outcome = evaluate(choose(target), instance, scope: scope)
        if !outcome.errors.isEmpty { outcome.locate(keyword: "/" + keyword, member: "") }
        return outcome
    }

    /// `$dynamicRef` (2020-12): its target, unless that is a `$dynamicAnchor` of the reference's name: then the
    /// outermost resource in the dynamic scope with such an anchor.
    func dynamicTarget(_ reference: String, _ target: SchemaRegistry.Located, _ scope: [String]) -> SchemaRegistry.Located {
        guard let name = SchemaRegistry.fragment(of: reference), !name.isEmpty, !name.hasPrefix("/"),
            target.schema["$dynamicAnchor"]?.stringValue == name
        else { return target }
        return scope.lazy.compactMap { self.registry.dynamicAnchor(name, in: $0) }.first ?? target
    }

    /// `$recursiveRef` (2019-09): its target, unless that has `$recursiveAnchor: true`: then the outermost resource
    /// of the dynamic scope that has it too.
    func recursiveTarget(_ target: SchemaRegistry.Located, _ scope: [String]) -> SchemaRegistry.Located {
        guard target.schema["$recursiveAnchor"] == .bool(true) else { return target }
        let anchored = scope.lazy.compactMap { self.registry.resource($0) }.first { $0.schema["$recursiveAnchor"] == .bool(true) }
        return anchored ?? target
    }

    static let combinators: [(Keyword, String)] = [(.allOf, "allOf"), (.anyOf, "anyOf"), (.oneOf, "oneOf")]

    // MARK: Types

    static func has(_ instance: JSON, type: String) -> Bool {
        switch (type, instance) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            true
        case ("integer", _): instance.isInteger
        default: false
        }
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

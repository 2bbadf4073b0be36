import Foundation
import Synchronization

/// The keywords of numbers, strings, arrays and objects.
extension Evaluator {
    func numberKeywords(_ node: SchemaNode, _ x: Double, _ failures: inout Outcome) {
        if let m = node.multipleOf, !Self.isMultiple(x, of: m) { failures.fail("multipleOf", "must be a multiple of \(Self.text(m))") }
        if let maximum = node.maximum {
            let exclusive = node.maximumIsExclusive
            if exclusive ? x >= maximum : x > maximum {
                failures.fail("maximum", "must be at most \(Self.text(maximum))\(exclusive ? ", exclusive" : "")")
            }
        }
        if let minimum = node.minimum {
            let exclusive = node.minimumIsExclusive
            if exclusive ? x <= minimum : x < minimum {
                failures.fail("minimum", "must be at least \(Self.text(minimum))\(exclusive ? ", exclusive" : "")")
            }
        }
        if let limit = node.exclusiveMaximum, x >= limit { failures.fail("exclusiveMaximum", "must be less than \(Self.text(limit))") }
        if let limit = node.exclusiveMinimum, x <= limit { failures.fail("exclusiveMinimum", "must be more than \(Self.text(limit))") }
    }

    static func isMultiple(_ x: Double, of m: Double) -> Bool {
        if x == x.rounded(), m == m.rounded(), abs(x) < 9e15, abs(m) < 9e15 { return Int64(x) % Int64(m) == 0 }
        let quotient = x / m
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) < 1e-9 * max(1, abs(quotient))
    }

    static func text(_ x: Double) -> String { JSON.number(x).serialized() }

    /// "1 item", "3 items".
    static func count(_ n: Double, _ noun: String) -> String { "\(text(n)) \(noun)\(n == 1 ? "" : "s")" }

    func stringKeywords(_ node: SchemaNode, _ string: String, _ failures: inout Outcome) {
        if node.maxLength != nil || node.minLength != nil {
            let length = Double(string.unicodeScalars.count)
            if let limit = node.maxLength, length > limit { failures.fail("maxLength", "must be at most \(Self.count(limit, "character")) long") }
            if let limit = node.minLength, length < limit { failures.fail("minLength", "must be at least \(Self.count(limit, "character")) long") }
        }
        if let pattern = node.pattern, !Self.matches(pattern.expression, string) { failures.fail("pattern", "must match \(pattern.source)") }
        if let format = node.format, !Formats.check(format, string) { failures.fail("format", "must be a valid \(format)") }
    }

    /// Regular expressions, compiled once per pattern (nil for one this engine cannot read). Only `\n` ends a line
    /// (`useUnixLineSeparators`), as in Python's `re` (Invenio's jsonschema): ICU's default also lets `$` match
    /// before a final `\r`, U+0085, U+2028…, so `^[a-z]+$` accepted "doi\r", and makes `.` refuse those characters.
    static let expressions = Mutex<[String: NSRegularExpression]>([:])

    static func expression(_ pattern: String) -> NSRegularExpression? {
        expressions.withLock { cache -> NSRegularExpression? in
            if let known = cache[pattern] { return known }
            let compiled = try? NSRegularExpression(pattern: pattern, options: .useUnixLineSeparators)
            if let compiled, cache.count < 10_000 { cache[pattern] = compiled }
            return compiled
        }
    }

    static func matches(_ pattern: String, _ string: String) -> Bool { matches(expression(pattern), string) }

    static func matches(_ expression: NSRegularExpression?, _ string: String) -> Bool {
        guard let expression else { return true }  // a pattern this engine cannot read asserts nothing
        return expression.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }

    func arrayKeywords(_ node: SchemaNode, _ elements: [JSON], _ scope: [String], _ outcome: inout Outcome, _ failures: inout Outcome) {
        if let limit = node.maxItems, Double(elements.count) > limit { failures.fail("maxItems", "must have at most \(Self.count(limit, "item"))") }
        if let limit = node.minItems, Double(elements.count) < limit { failures.fail("minItems", "must have at least \(Self.count(limit, "item"))") }
        if node.uniqueItems {
            var seen = Set<JSON>()
            if !elements.allSatisfy({ seen.insert($0).inserted }) { failures.fail("uniqueItems", "must not repeat an item") }
        }
        // An item is another instance: its errors count here, not its annotations (the members and items of its
        // own that were evaluated). Items evaluated are noted only when a schema has `unevaluatedItems`.
        var covered = 0
        if let (keyword, nodes) = node.positional {
            for (index, subschema) in nodes.enumerated() where index < elements.count {
                outcome.errors += sub(subschema, "\(keyword)/\(index)", elements[index], "/\(index)", scope).errors
                if annotations { outcome.items.insert(index) }
            }
            covered = min(nodes.count, elements.count)
        }
        if let (keyword, subschema) = node.rest {
            for index in covered..<elements.count {
                outcome.errors += sub(subschema, keyword, elements[index], "/\(index)", scope).errors
                if annotations { outcome.items.insert(index) }
            }
        }
        if let contains = node.contains {
            var matched: [Int] = []
            for (index, element) in elements.enumerated() where evaluate(contains, element, scope: scope).valid { matched.append(index) }
            let minimum = node.minContains
            if matched.count < minimum { failures.fail("contains", "must contain at least \(minimum) matching item\(minimum == 1 ? "" : "s")") }
            if let maximum = node.maxContains, matched.count > maximum {
                failures.fail("maxContains", "must contain at most \(maximum) matching items")
            }
            if annotations, node.dialect == .draft202012 { outcome.items.formUnion(matched) }
        }
        if let unevaluated = node.unevaluatedItems {
            for index in elements.indices where !outcome.items.contains(index) {
                outcome.errors += sub(unevaluated, "unevaluatedItems", elements[index], "/\(index)", scope).errors
                outcome.items.insert(index)
            }
        }
    }

    /// The pointer to a member, from the object.
    static func path(_ key: String) -> String {
        // Foundation's replacingOccurrences is slow (a copy through NSString): only for the keys that need it.
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return "/" + key }
        return "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The members are visited in the dictionary's order; the errors of each keyword that visits them are listed by
    /// member name, as if they had been visited in that order.
    func objectKeywords(
        _ node: SchemaNode, _ members: [String: JSON], _ scope: [String], _ outcome: inout Outcome, _ failures: inout Outcome
    ) {
        if let limit = node.maxProperties, Double(members.count) > limit {
            failures.fail("maxProperties", "must have at most \(Self.count(limit, "member"))")
        }
        if let limit = node.minProperties, Double(members.count) < limit {
            failures.fail("minProperties", "must have at least \(Self.count(limit, "member"))")
        }
        for name in node.required where members[name] == nil {
            outcome.errors.append(ValidationError(instanceLocation: Self.path(name), keywordLocation: "/required", message: "is required"))
        }
        for (key, names) in node.dependentRequired where members[key] != nil {
            for name in names where members[name] == nil { failures.fail("dependentRequired", "\(name) is required when \(key) is there") }
        }
        for dependent in node.dependentSchemas where members[dependent.name] != nil {
            outcome.absorb(sub(dependent.node, "dependentSchemas/\(dependent.name)", .object(members), "", scope))
        }
        /// Each member's errors of one keyword, in name order.
        var found: [(key: String, errors: [ValidationError])] = []
        func flush() {
            if found.count > 1 { found.sort { $0.key < $1.key } }
            for (_, errors) in found { outcome.errors += errors }
            found.removeAll(keepingCapacity: true)
        }
        if let names = node.propertyNames {
            for key in members.keys {
                let errors = sub(names, "propertyNames", .string(key), Self.path(key), scope).errors
                if !errors.isEmpty { found.append((key, errors)) }
            }
            flush()
        }
        // A member's value is another instance: its errors count here, not its annotations. Members evaluated are
        // noted only when a schema has `unevaluatedProperties`.
        let others = node.additionalProperties != nil || node.unevaluatedProperties != nil
        var unmatched: [(key: String, value: JSON)] = []
        if !node.properties.isEmpty || !node.patternProperties.isEmpty || others {
            for (key, value) in members {
                var matched = false
                var errors: [ValidationError] = []
                if let subschema = node.properties[key] {
                    errors += sub(subschema, "properties/\(key)", value, Self.path(key), scope).errors
                    matched = true
                }
                for pattern in node.patternProperties where Self.matches(pattern.expression, key) {
                    if let subschema = pattern.node {
                        errors += sub(subschema, "patternProperties/\(pattern.source)", value, Self.path(key), scope).errors
                    }
                    matched = true
                }
                if !errors.isEmpty { found.append((key, errors)) }
                if matched {
                    if annotations { outcome.properties.insert(key) }
                } else if others {
                    unmatched.append((key, value))
                }
            }
            flush()
        }
        /// `additionalProperties` or `unevaluatedProperties` over `candidates`.
        func rest(_ keyword: String, _ subschema: SchemaNode, _ candidates: [(key: String, value: JSON)]) {
            for (key, value) in candidates {
                let result = sub(subschema, keyword, value, Self.path(key), scope)
                if result.valid {
                    if annotations { outcome.properties.insert(key) }
                } else {
                    let errors =
                        subschema.kind == .never
                        ? [ValidationError(instanceLocation: Self.path(key), keywordLocation: "/" + keyword, message: "is not allowed")]
                        : result.errors
                    found.append((key, errors))
                }
            }
            flush()
        }
        if let additional = node.additionalProperties { rest("additionalProperties", additional, unmatched) }
        if let unevaluated = node.unevaluatedProperties {
            rest("unevaluatedProperties", unevaluated, members.filter { !outcome.properties.contains($0.key) }.map { ($0.key, $0.value) })
        }
    }
}

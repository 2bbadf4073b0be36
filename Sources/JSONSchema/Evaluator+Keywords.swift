import Foundation
import Synchronization

/// The keywords of numbers, strings, arrays and objects.
extension Evaluator {
    func numberKeywords(_ schema: SchemaObject, _ x: Double, dialect: Dialect, fail: (String, String) -> Void) {
        if let m = schema[.multipleOf]?.numberValue, m > 0, !Self.isMultiple(x, of: m) {
            fail("multipleOf", "must be a multiple of \(Self.text(m))")
        }
        if let maximum = schema[.maximum]?.numberValue {
            let exclusive = dialect == .draft4 && schema[.exclusiveMaximum] == .bool(true)
            if exclusive ? x >= maximum : x > maximum { fail("maximum", "must be at most \(Self.text(maximum))\(exclusive ? ", exclusive" : "")") }
        }
        if let minimum = schema[.minimum]?.numberValue {
            let exclusive = dialect == .draft4 && schema[.exclusiveMinimum] == .bool(true)
            if exclusive ? x <= minimum : x < minimum { fail("minimum", "must be at least \(Self.text(minimum))\(exclusive ? ", exclusive" : "")") }
        }
        if dialect >= .draft6 {
            if let limit = schema[.exclusiveMaximum]?.numberValue, x >= limit { fail("exclusiveMaximum", "must be less than \(Self.text(limit))") }
            if let limit = schema[.exclusiveMinimum]?.numberValue, x <= limit { fail("exclusiveMinimum", "must be more than \(Self.text(limit))") }
        }
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

    func stringKeywords(_ schema: SchemaObject, _ string: String, fail: (String, String) -> Void) {
        let length = string.unicodeScalars.count
        if let limit = schema[.maxLength]?.numberValue, Double(length) > limit {
            fail("maxLength", "must be at most \(Self.count(limit, "character")) long")
        }
        if let limit = schema[.minLength]?.numberValue, Double(length) < limit {
            fail("minLength", "must be at least \(Self.count(limit, "character")) long")
        }
        if let pattern = schema[.pattern]?.stringValue, !Self.matches(pattern, string) { fail("pattern", "must match \(pattern)") }
        if formatAssertion, let format = schema[.format]?.stringValue, !Formats.check(format, string) {
            fail("format", "must be a valid \(format)")
        }
    }

    /// Regular expressions, compiled once per pattern. Only `\n` ends a line (`useUnixLineSeparators`), as in
    /// Python's `re` (Invenio's jsonschema): ICU's default also lets `$` match before a final `\r`, U+0085, U+2028…,
    /// so `^[a-z]+$` accepted "doi\r", and makes `.` refuse those characters.
    static let expressions = Mutex<[String: NSRegularExpression]>([:])

    static func matches(_ pattern: String, _ string: String) -> Bool {
        let expression = expressions.withLock { cache -> NSRegularExpression? in
            if let known = cache[pattern] { return known }
            let compiled = try? NSRegularExpression(pattern: pattern, options: .useUnixLineSeparators)
            if let compiled, cache.count < 10_000 { cache[pattern] = compiled }
            return compiled
        }
        guard let expression else { return true }  // a pattern this engine cannot read asserts nothing
        return expression.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }

    func arrayKeywords(
        _ schema: SchemaObject, _ elements: [JSON], here: SchemaRegistry.Located, scope: [String], outcome: inout Outcome,
        sub: (JSON, @autoclosure () -> String, JSON, @autoclosure () -> String) -> Outcome, fail: (String, String) -> Void
    ) {
        let dialect = here.dialect
        if validation, let limit = schema[.maxItems]?.numberValue, Double(elements.count) > limit {
            fail("maxItems", "must have at most \(Self.count(limit, "item"))")
        }
        if validation, let limit = schema[.minItems]?.numberValue, Double(elements.count) < limit {
            fail("minItems", "must have at least \(Self.count(limit, "item"))")
        }
        if validation, schema[.uniqueItems] == .bool(true) {
            var seen = Set<JSON>()
            if !elements.allSatisfy({ seen.insert($0).inserted }) { fail("uniqueItems", "must not repeat an item") }
        }
        // An item is another instance: its errors count here, not its annotations (the members and items of its
        // own that were evaluated). Items evaluated are noted only when a schema has `unevaluatedItems`.
        func each(_ keyword: String, _ subschema: JSON, _ indices: Range<Int>) {
            for index in indices {
                outcome.errors += sub(subschema, keyword, elements[index], "/\(index)").errors
                if annotations { outcome.items.insert(index) }
            }
        }
        // Positional items: `prefixItems` (2020-12) or an array of `items` (before), then the rest.
        let positional: [JSON]? = dialect == .draft202012 ? schema[.prefixItems]?.arrayValue : schema[.items]?.arrayValue
        let rest: (String, JSON)? =
            dialect == .draft202012
            ? schema[.items].map { ("items", $0) }
            : (positional == nil ? schema[.items].map { ("items", $0) } : schema[.additionalItems].map { ("additionalItems", $0) })
        var covered = 0
        if let positional {
            let keyword = dialect == .draft202012 ? "prefixItems" : "items"
            for (index, subschema) in positional.enumerated() where index < elements.count {
                outcome.errors += sub(subschema, "\(keyword)/\(index)", elements[index], "/\(index)").errors
                if annotations { outcome.items.insert(index) }
            }
            covered = min(positional.count, elements.count)
        }
        if let (keyword, subschema) = rest { each(keyword, subschema, covered..<elements.count) }
        if dialect >= .draft6, let contains = schema[.contains] {
            var matched: [Int] = []
            for (index, element) in elements.enumerated() where sub(contains, "contains", element, "/\(index)").valid {
                matched.append(index)
            }
            let minimum = dialect >= .draft201909 ? Int(schema[.minContains]?.numberValue ?? 1) : 1
            let maximum = dialect >= .draft201909 ? schema[.maxContains]?.numberValue.map(Int.init) : nil
            if matched.count < minimum { fail("contains", "must contain at least \(minimum) matching item\(minimum == 1 ? "" : "s")") }
            if let maximum, matched.count > maximum { fail("maxContains", "must contain at most \(maximum) matching items") }
            if annotations, dialect == .draft202012 { outcome.items.formUnion(matched) }
        }
        if dialect >= .draft201909, let unevaluated = schema[.unevaluatedItems] {
            for index in elements.indices where !outcome.items.contains(index) {
                outcome.errors += sub(unevaluated, "unevaluatedItems", elements[index], "/\(index)").errors
                outcome.items.insert(index)
            }
        }
    }

    func objectKeywords(
        _ schema: SchemaObject, _ members: [String: JSON], here: SchemaRegistry.Located, outcome: inout Outcome,
        sub: (JSON, @autoclosure () -> String, JSON, @autoclosure () -> String) -> Outcome, fail: (String, String) -> Void
    ) {
        let dialect = here.dialect
        /// The pointer to a member, from the object.
        func path(_ key: String) -> String {
            // Foundation's replacingOccurrences is slow (a copy through NSString): only for the keys that need it.
            guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return "/" + key }
            return "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }
        if validation, let limit = schema[.maxProperties]?.numberValue, Double(members.count) > limit {
            fail("maxProperties", "must have at most \(Self.count(limit, "member"))")
        }
        if validation, let limit = schema[.minProperties]?.numberValue, Double(members.count) < limit {
            fail("minProperties", "must have at least \(Self.count(limit, "member"))")
        }
        if validation, let required = schema[.required]?.arrayValue {
            for name in required.compactMap(\.stringValue) where members[name] == nil {
                outcome.errors.append(
                    ValidationError(instanceLocation: path(name), keywordLocation: "/required", message: "is required"))
            }
        }
        var dependentRequired = dialect >= .draft201909 && validation ? schema[.dependentRequired]?.objectValue ?? [:] : [:]
        var dependentSchemas = dialect >= .draft201909 ? schema[.dependentSchemas]?.objectValue ?? [:] : [:]
        if dialect < .draft201909, let dependencies = schema[.dependencies]?.objectValue {
            for (key, value) in dependencies {
                if value.arrayValue != nil { dependentRequired[key] = value } else { dependentSchemas[key] = value }
            }
        }
        for (key, names) in dependentRequired where members[key] != nil {
            for name in names.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                fail("dependentRequired", "\(name) is required when \(key) is there")
            }
        }
        for (key, subschema) in dependentSchemas.sorted(by: { $0.key < $1.key }) where members[key] != nil {
            outcome.absorb(sub(subschema, "dependentSchemas/\(key)", .object(members), ""))
        }
        let entries = members.sorted { $0.key < $1.key }
        if dialect >= .draft6, let names = schema[.propertyNames] {
            for (key, _) in entries { outcome.errors += sub(names, "propertyNames", .string(key), path(key)).errors }
        }
        // A member's value is another instance: its errors count here, not its annotations. Members evaluated are
        // noted only when a schema has `unevaluatedProperties`.
        let properties = schema[.properties]?.objectValue ?? [:]
        let patterns = schema[.patternProperties]?.objectValue ?? [:]
        var matched = [Bool](repeating: false, count: entries.count)
        for (n, (key, value)) in entries.enumerated() {
            if let subschema = properties[key] {
                outcome.errors += sub(subschema, "properties/\(key)", value, path(key)).errors
                matched[n] = true
            }
            for (pattern, subschema) in patterns where Self.matches(pattern, key) {
                outcome.errors += sub(subschema, "patternProperties/\(pattern)", value, path(key)).errors
                matched[n] = true
            }
            if annotations, matched[n] { outcome.properties.insert(key) }
        }
        if let additional = schema[.additionalProperties] {
            for (n, (key, value)) in entries.enumerated() where !matched[n] {
                let result = sub(additional, "additionalProperties", value, path(key))
                if result.valid {
                    if annotations { outcome.properties.insert(key) }
                } else {
                    outcome.errors +=
                        additional == .bool(false)
                        ? [ValidationError(instanceLocation: path(key), keywordLocation: "/additionalProperties", message: "is not allowed")]
                        : result.errors
                }
            }
        }
        if dialect >= .draft201909, let unevaluated = schema[.unevaluatedProperties] {
            for (key, value) in entries where !outcome.properties.contains(key) {
                let result = sub(unevaluated, "unevaluatedProperties", value, path(key))
                if result.valid {
                    outcome.properties.insert(key)
                } else {
                    outcome.errors +=
                        unevaluated == .bool(false)
                        ? [ValidationError(instanceLocation: path(key), keywordLocation: "/unevaluatedProperties", message: "is not allowed")]
                        : result.errors
                }
            }
        }
    }
}

/// The keywords the evaluator reads. A schema object's keywords are found once per evaluation, going through its
/// (few) members, so that the many it does not have cost a bit test each instead of a hashed dictionary lookup.
enum Keyword: Int, CaseIterable {
    case ref, dynamicRef, recursiveRef, schema, dollarID, id
    case type, `enum`, const, allOf, anyOf, oneOf, not, `if`, then, `else`
    case multipleOf, maximum, minimum, exclusiveMaximum, exclusiveMinimum, maxLength, minLength, pattern, format
    case maxItems, minItems, uniqueItems, items, prefixItems, additionalItems, contains, minContains, maxContains
    case unevaluatedItems, maxProperties, minProperties, required, dependentRequired, dependentSchemas, dependencies
    case propertyNames, properties, patternProperties, additionalProperties, unevaluatedProperties

    /// The keywords' names in a schema, by raw value: the case's name, `$`-prefixed for the core's.
    static let names: [String] = allCases.map { keyword in
        switch keyword {
        case .ref: "$ref"
        case .dynamicRef: "$dynamicRef"
        case .recursiveRef: "$recursiveRef"
        case .schema: "$schema"
        case .dollarID: "$id"
        default: String(describing: keyword)
        }
    }
    static let bits: [String: UInt64] = Dictionary(
        uniqueKeysWithValues: allCases.map { (names[$0.rawValue], UInt64(1) << UInt64($0.rawValue)) })
}

/// A schema object and which keywords it has.
struct SchemaObject {
    let members: [String: JSON]
    private let present: UInt64

    init(_ members: [String: JSON]) {
        self.members = members
        var present: UInt64 = 0
        for key in members.keys { present |= Keyword.bits[key] ?? 0 }
        self.present = present
    }

    func has(_ keyword: Keyword) -> Bool { present & (1 << UInt64(keyword.rawValue)) != 0 }

    subscript(_ keyword: Keyword) -> JSON? { has(keyword) ? members[Keyword.names[keyword.rawValue]] : nil }
}

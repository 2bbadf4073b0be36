/// A JSON value. Numbers are `Double` (so `1` and `1.0` are equal, as JSON Schema wants); objects are unordered
/// (a key given twice keeps its last value). `Hashable` follows JSON equality: arrays by order, objects by members.
public enum JSON: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// The member `key` of an object (nil for other values or a missing member).
    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element `index` of an array (nil for other values or an index out of range).
    public subscript(index: Int) -> JSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A number with no fractional part (JSON Schema's "integer": `1.0` is one).
    public var isInteger: Bool {
        if case .number(let value) = self { return value.isFinite && value.rounded(.towardZero) == value }
        return false
    }
}

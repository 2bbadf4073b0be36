import Foundation
import Synchronization

/// The schema documents a validator may reach by URI — nothing is ever fetched: registered documents, their
/// embedded resources (`$id`), and their anchors (`$anchor`, `$dynamicAnchor`, a draft-6/7 `$id: "#name"`).
public final class SchemaRegistry: Sendable {
    /// A schema and where it stands: its base URI and dialect.
    struct Located: Sendable {
        var schema: JSON
        /// The base URI in effect: the schema's own when `ownBase` (its `$id` already applied), else its parent's.
        var base: String
        var dialect: Dialect
        var ownBase = true
    }

    struct Index: Sendable {
        /// Resources by absolute URI (no fragment).
        var resources: [String: Located] = [:]
        /// Anchors by `URI#name`.
        var anchors: [String: Located] = [:]
        /// `$dynamicAnchor`s by `URI#name`.
        var dynamicAnchors: [String: Located] = [:]
        /// What `locate` found, by base and reference: validation follows the same references over and over
        /// (emptied whenever a document is registered).
        var located: [Reference: Located] = [:]
        /// Whether some document has `unevaluatedProperties` or `unevaluatedItems` (anywhere).
        var annotations = false
    }

    struct Reference: Hashable {
        var reference: String
        var base: String
    }

    let index = Mutex(Index())

    public init() {}

    /// Adds a document under `uri` (its own `$id`, if any, names it too), as the dialect its `$schema` names or
    /// `dialect`.
    public func register(_ document: JSON, uri: String, dialect: Dialect = .draft202012) throws {
        var found = Index()
        let base = Self.withoutFragment(uri)
        Self.walk(document, base: base, dialect: Self.dialect(of: document) ?? dialect, isRoot: true, into: &found)
        if found.resources[base] == nil {
            found.resources[base] = Located(schema: document, base: base, dialect: Self.dialect(of: document) ?? dialect)
        }
        index.withLock { index in
            index.resources.merge(found.resources) { _, new in new }
            index.anchors.merge(found.anchors) { _, new in new }
            index.dynamicAnchors.merge(found.dynamicAnchors) { _, new in new }
            index.located.removeAll()
            if !index.annotations { index.annotations = Self.mentions(document, "unevaluatedProperties", "unevaluatedItems") }
        }
    }

    /// Whether an object in `json` has a member named `a` or `b`.
    static func mentions(_ json: JSON, _ a: String, _ b: String) -> Bool {
        switch json {
        case .object(let members): members[a] != nil || members[b] != nil || members.values.contains { mentions($0, a, b) }
        case .array(let items): items.contains { mentions($0, a, b) }
        default: false
        }
    }

    static func dialect(of schema: JSON) -> Dialect? { schema["$schema"]?.stringValue.flatMap(Dialect.init(metaschema:)) }

    /// Indexes `schema` and every subschema in it.
    static func walk(_ schema: JSON, base: String, dialect: Dialect, isRoot: Bool, into index: inout Index) {
        guard case .object(let members) = schema else { return }
        var base = base
        var dialect = dialect
        if let own = Self.dialect(of: schema), !isRoot { dialect = own }
        let ignoresID = dialect.refOverridesSiblings && members["$ref"] != nil
        if !ignoresID, let id = members[dialect.idKeyword]?.stringValue {
            if dialect < .draft201909, id.hasPrefix("#") {
                index.anchors[base + id] = Located(schema: schema, base: base, dialect: dialect)
            } else {
                let resolved = resolve(id, against: base)
                base = withoutFragment(resolved)
                index.resources[base] = Located(schema: schema, base: base, dialect: dialect)
                if let fragment = fragment(of: resolved), !fragment.isEmpty, !fragment.hasPrefix("/") {
                    index.anchors[base + "#" + fragment] = Located(schema: schema, base: base, dialect: dialect)
                }
            }
        }
        if dialect >= .draft201909, let anchor = members["$anchor"]?.stringValue {
            index.anchors[base + "#" + anchor] = Located(schema: schema, base: base, dialect: dialect)
        }
        if dialect >= .draft202012, let anchor = members["$dynamicAnchor"]?.stringValue {
            let located = Located(schema: schema, base: base, dialect: dialect)
            index.anchors[base + "#" + anchor] = located
            index.dynamicAnchors[base + "#" + anchor] = located
        }
        for (key, value) in members {
            switch key {
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies":
                for (_, sub) in value.objectValue ?? [:] { walk(sub, base: base, dialect: dialect, isRoot: false, into: &index) }
            case "items", "prefixItems", "allOf", "anyOf", "oneOf":
                if let list = value.arrayValue {
                    for sub in list { walk(sub, base: base, dialect: dialect, isRoot: false, into: &index) }
                } else {
                    walk(value, base: base, dialect: dialect, isRoot: false, into: &index)
                }
            case "additionalProperties", "additionalItems", "unevaluatedItems", "unevaluatedProperties", "contains",
                "propertyNames", "not", "if", "then", "else":
                walk(value, base: base, dialect: dialect, isRoot: false, into: &index)
            default: continue
            }
        }
    }

    /// What a reference names, resolved against `base`: the schema and where it stands.
    func locate(_ reference: String, base: String) -> Located? {
        let key = Reference(reference: reference, base: base)
        if let known = index.withLock({ $0.located[key] }) { return known }
        let uri = Self.resolve(reference, against: base)
        let resource = Self.withoutFragment(uri)
        let fragment = Self.fragment(of: uri) ?? ""
        return index.withLock { index -> Located? in
            let found: Located?
            if fragment.isEmpty {
                found = index.resources[resource]
            } else if !fragment.hasPrefix("/") {
                found = index.anchors[resource + "#" + fragment]
            } else {
                found = index.resources[resource].flatMap { Self.follow(fragment, from: $0, index: index) }
            }
            if let found { index.located[key] = found }
            return found
        }
    }

    func dynamicAnchor(_ name: String, in resource: String) -> Located? {
        index.withLock { $0.dynamicAnchors[resource + "#" + name] }
    }

    func resource(_ uri: String) -> Located? { index.withLock { $0.resources[uri] } }

    /// A JSON pointer fragment from a resource's root, the base changing where the path enters a resource of its own.
    static func follow(_ fragment: String, from root: Located, index: Index) -> Located? {
        guard let decoded = fragment.removingPercentEncoding, let pointer = try? JSONPointer(decoded) else { return nil }
        var current = root
        for token in pointer.tokens {
            let next: JSON?
            switch current.schema {
            case .object(let members): next = members[token]
            case .array(let elements): next = Int(token).flatMap { elements.indices.contains($0) ? elements[$0] : nil }
            default: next = nil
            }
            guard let next else { return nil }
            current.schema = next
            if let id = next[current.dialect.idKeyword]?.stringValue, !id.hasPrefix("#"),
                !(current.dialect.refOverridesSiblings && next["$ref"] != nil)
            {
                current.base = withoutFragment(resolve(id, against: current.base))
            }
        }
        return current
    }

    static func withoutFragment(_ uri: String) -> String {
        guard let hash = uri.firstIndex(of: "#") else { return uri }
        return String(uri[..<hash])
    }

    static func fragment(of uri: String) -> String? {
        guard let hash = uri.firstIndex(of: "#") else { return nil }
        return String(uri[uri.index(after: hash)...])
    }

    /// RFC 3986 reference resolution, for the URIs schemas use (URLs, URNs, fragments).
    static func resolve(_ reference: String, against base: String) -> String {
        if reference.isEmpty { return base }
        if hasScheme(reference) { return reference }
        if reference.hasPrefix("#") { return withoutFragment(base) + reference }
        if let baseURL = URL(string: withoutFragment(base)), baseURL.host != nil || base.hasPrefix("file:"),
            let url = URL(string: reference, relativeTo: baseURL)
        {
            return url.absoluteString
        }
        // A base that is not hierarchical (a URN) or none: the reference as given.
        return reference
    }

    static func hasScheme(_ uri: String) -> Bool {
        guard let colon = uri.firstIndex(of: ":"), colon != uri.startIndex else { return false }
        let scheme = uri[..<colon]
        return scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }
}

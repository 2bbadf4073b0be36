/// RFC 6902 JSON Patch: a list of operations (`add`, `remove`, `replace`, `move`, `copy`, `test`) applied in order.
public enum JSONPatch {
    /// Applies `patch` (a JSON array of operation objects) to `document` and returns the result.
    ///
    /// The whole patch succeeds or nothing changes: `document` is a value, and the first failing operation throws a
    /// `JSONPatchError` naming its index. Array indices are decimal without leading zeros, and `-` in `add` (or as
    /// the target of `move` and `copy`) appends. `move` into its own child is an error; `test` compares by JSON
    /// equality (so `1` equals `1.0` and member order does not matter). Members an operation does not use are ignored.
    public static func apply(_ patch: JSON, to document: JSON) throws -> JSON {
        guard case .array(let operations) = patch else {
            throw JSONPatchError(operationIndex: nil, message: "a patch must be an array of operations")
        }
        var result = document
        for (index, operation) in operations.enumerated() {
            do {
                try perform(operation, on: &result)
            } catch {
                throw JSONPatchError(operationIndex: index, message: error.message)
            }
        }
        return result
    }

    /// Why one operation failed; `apply(_:to:)` adds the operation's index.
    struct Failure: Error {
        var message: String

        init(_ message: String) {
            self.message = message
        }
    }

    /// Performs one operation on `document`.
    static func perform(_ operation: JSON, on document: inout JSON) throws(Failure) {
        guard case .object(let members) = operation else { throw Failure("an operation must be an object") }
        guard case .string(let name)? = members["op"] else { throw Failure("missing or non-string 'op' member") }
        let path = try pointer(members, "path", operation: name)
        switch name {
        case "add":
            try add(try value(members, operation: name), at: path, in: &document)
        case "remove":
            _ = try remove(at: path, in: &document)
        case "replace":
            let value = try value(members, operation: name)
            try modify(&document, at: path, path.tokens[...]) { (target: inout JSON) throws(Failure) in target = value }
        case "move":
            let from = try pointer(members, "from", operation: name)
            if from.tokens.count < path.tokens.count && Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw Failure("move: cannot move \"\(from)\" into its own child \"\(path)\"")
            }
            guard from != path else {
                guard document.value(at: from) != nil else { throw Failure("move: \"\(from)\" does not exist") }
                return
            }
            try add(try remove(at: from, in: &document, operation: "move"), at: path, in: &document, operation: "move")
        case "copy":
            let from = try pointer(members, "from", operation: name)
            guard let value = document.value(at: from) else { throw Failure("copy: \"\(from)\" does not exist") }
            try add(value, at: path, in: &document, operation: "copy")
        case "test":
            let expected = try value(members, operation: name)
            guard let actual = document.value(at: path) else { throw Failure("test: \"\(path)\" does not exist") }
            guard actual == expected else {
                throw Failure("test: \"\(path)\" is \(actual.serialized(sortedKeys: true)), not \(expected.serialized(sortedKeys: true))")
            }
        default:
            throw Failure("unknown operation \"\(name)\"")
        }
    }

    // MARK: Members

    static func pointer(_ members: [String: JSON], _ key: String, operation: String) throws(Failure) -> JSONPointer {
        guard let member = members[key] else { throw Failure("\(operation): missing '\(key)' member") }
        guard case .string(let text) = member else { throw Failure("\(operation): '\(key)' must be a string") }
        do {
            return try JSONPointer(text)
        } catch {
            throw Failure("\(operation): '\(key)' is not a JSON Pointer: \(text)")
        }
    }

    static func value(_ members: [String: JSON], operation: String) throws(Failure) -> JSON {
        guard let value = members["value"] else { throw Failure("\(operation): missing 'value' member") }
        return value
    }

    // MARK: Changes

    /// Adds `value` at `path`: sets an object member, inserts into an array (`-` appends), or replaces the root.
    static func add(_ value: JSON, at path: JSONPointer, in document: inout JSON, operation: String = "add") throws(Failure) {
        guard let last = path.tokens.last else {
            document = value
            return
        }
        try modify(&document, at: path, path.tokens.dropLast(), operation: operation) { (parent: inout JSON) throws(Failure) in
            switch parent {
            case .object(var members):
                parent = .null
                members[last] = value
                parent = .object(members)
            case .array(var elements):
                let index: Int
                if last == "-" {
                    index = elements.count
                } else if let plain = JSONPointer.arrayIndex(last), plain <= elements.count {
                    index = plain
                } else {
                    throw Failure("\(operation): \"\(path)\" is not an index in an array of \(elements.count)")
                }
                parent = .null
                elements.insert(value, at: index)
                parent = .array(elements)
            default:
                throw Failure("\(operation): the parent of \"\(path)\" is neither an object nor an array")
            }
        }
    }

    /// Removes and returns the value at `path`, which must exist and not be the root.
    static func remove(at path: JSONPointer, in document: inout JSON, operation: String = "remove") throws(Failure) -> JSON {
        guard let last = path.tokens.last else { throw Failure("\(operation): cannot remove the whole document") }
        var removed = JSON.null
        try modify(&document, at: path, path.tokens.dropLast(), operation: operation) { (parent: inout JSON) throws(Failure) in
            switch parent {
            case .object(var members):
                parent = .null
                guard let value = members.removeValue(forKey: last) else { throw Failure("\(operation): \"\(path)\" does not exist") }
                removed = value
                parent = .object(members)
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(last), index < elements.count else {
                    throw Failure("\(operation): \"\(path)\" does not exist")
                }
                parent = .null
                removed = elements.remove(at: index)
                parent = .array(elements)
            default:
                throw Failure("\(operation): \"\(path)\" does not exist")
            }
        }
        return removed
    }

    /// Calls `change` on the existing value at `tokens`, changing containers in place (each is detached from its
    /// parent first, so copy-on-write copies only what is shared with the caller's original document).
    static func modify(
        _ value: inout JSON,
        at path: JSONPointer,
        _ tokens: ArraySlice<String>,
        operation: String = "replace",
        _ change: (inout JSON) throws(Failure) -> Void
    ) throws(Failure) {
        guard let token = tokens.first else {
            try change(&value)
            return
        }
        switch value {
        case .object(var members):
            guard var child = members[token] else { throw Failure("\(operation): the path \"\(path)\" does not exist") }
            value = .null
            members[token] = .null
            try modify(&child, at: path, tokens.dropFirst(), operation: operation, change)
            members[token] = child
            value = .object(members)
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                throw Failure("\(operation): the path \"\(path)\" does not exist")
            }
            var child = elements[index]
            value = .null
            elements[index] = .null
            try modify(&child, at: path, tokens.dropFirst(), operation: operation, change)
            elements[index] = child
            value = .array(elements)
        default:
            throw Failure("\(operation): the path \"\(path)\" does not exist")
        }
    }
}

/// An RFC 6901 JSON Pointer: a path of reference tokens into a JSON value. The empty pointer is the whole value.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The unescaped reference tokens, outermost first.
    public var tokens: [String]

    public init(tokens: [String] = []) {
        self.tokens = tokens
    }

    /// Parses the string form: empty, or each token preceded by `/`, with `~1` for `/` and `~0` for `~`.
    /// Throws `JSONPointerError` if the text does not start with `/` or has a `~` not followed by `0` or `1`.
    public init(_ text: String) throws {
        guard !text.isEmpty else {
            self.init()
            return
        }
        guard text.hasPrefix("/") else { throw JSONPointerError(pointer: text, message: "must be empty or start with '/'") }
        var tokens: [String] = []
        for escaped in text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            var token: [UInt8] = []
            token.reserveCapacity(escaped.count)
            var iterator = escaped.makeIterator()
            while let byte = iterator.next() {
                guard byte == UInt8(ascii: "~") else {
                    token.append(byte)
                    continue
                }
                switch iterator.next() {
                case UInt8(ascii: "0"): token.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): token.append(UInt8(ascii: "/"))
                default: throw JSONPointerError(pointer: text, message: "'~' must be followed by '0' or '1'")
                }
            }
            tokens.append(String(decoding: token, as: UTF8.self))
        }
        self.init(tokens: tokens)
    }

    /// The string form, with `~` escaped as `~0` and `/` as `~1`.
    public var description: String {
        var text = ""
        for token in tokens {
            text += "/"
            text += token.replacing("~", with: "~0").replacing("/", with: "~1")
        }
        return text
    }

    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    /// The array index a token names: decimal digits without a leading zero (so never `-`), or nil.
    static func arrayIndex(_ token: String) -> Int? {
        let digits = token.utf8
        guard let first = digits.first, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        if first == UInt8(ascii: "0") && digits.count > 1 { return nil }
        return Int(token)
    }
}

extension JSON {
    /// The value `pointer` refers to, or nil if there is none. An array token must be a decimal index without
    /// leading zeros within bounds; `-` (the element after the last) never exists.
    public func value(at pointer: JSONPointer) -> JSON? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let members):
                guard let member = members[token] else { return nil }
                current = member
            case .array(let elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}

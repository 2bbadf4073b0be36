/// A JSON Pointer string that does not follow RFC 6901's syntax.
public struct JSONPointerError: Error, Equatable, CustomStringConvertible {
    public var pointer: String
    public var message: String

    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }

    public var description: String {
        "invalid JSON Pointer \"\(pointer)\": \(message)"
    }
}

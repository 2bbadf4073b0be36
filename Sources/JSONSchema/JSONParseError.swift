/// Why a JSON text could not be parsed, and where.
///
/// `offset` counts UTF-8 bytes from the start of the input (a skipped byte order mark included), starting at 0.
/// `line` and `column` start at 1; a line ends at `\n`, `\r\n` or `\r`, and `column` counts Unicode scalars.
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int
    public var message: String

    public init(offset: Int, line: Int, column: Int, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "JSON parse error at line \(line), column \(column) (byte \(offset)): \(message)"
    }
}

/// Why a JSON Patch could not be applied: the index of the failing operation (nil when the patch itself is not an
/// array) and the reason.
public struct JSONPatchError: Error, Equatable, CustomStringConvertible {
    public var operationIndex: Int?
    public var message: String

    public init(operationIndex: Int?, message: String) {
        self.operationIndex = operationIndex
        self.message = message
    }

    public var description: String {
        guard let operationIndex else { return "JSON Patch failed: \(message)" }
        return "JSON Patch operation \(operationIndex) failed: \(message)"
    }
}

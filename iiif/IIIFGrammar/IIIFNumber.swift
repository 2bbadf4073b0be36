/// The number syntax of IIIF parameters: pixel values are non-negative integers; percentages and angles are
/// non-negative decimals made of digits and at most one `.` with a digit on each side. Anything else is a 400.
enum IIIFNumber {
    static func integer(_ text: Substring, _ parameter: String) throws -> Int {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy(\.isASCIIDigit), let value = Int(text) else {
            throw IIIFError(.invalidRequest, "Invalid \(parameter): '\(text)' is not a whole number of pixels.")
        }
        return value
    }

    static func decimal(_ text: Substring, _ parameter: String) throws -> Double {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 12 && $0.allSatisfy(\.isASCIIDigit) }),
            let value = Double(text)
        else {
            throw IIIFError(.invalidRequest, "Invalid \(parameter): '\(text)' is not a decimal number.")
        }
        return value
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

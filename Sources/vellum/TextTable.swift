/// Prints rows under a header as columns two spaces apart, each as wide as its widest cell.
enum TextTable {
    static func print(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            let line = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            Swift.print(line.trimmingCharacters(in: .whitespaces))
        }
    }
}

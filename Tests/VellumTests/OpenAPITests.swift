import Foundation
import Testing
import VellumHTTP

@Suite struct OpenAPITests {
    /// Every route the router serves is documented in docs/openapi.yaml, with its method.
    @Test func everyRouteIsDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let spec = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        var current: String?
        var inPaths = false
        for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
                documented[current!] = []
            } else if let path = current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                documented[path]?.insert(String(line.dropFirst(4).dropLast()))
            }
        }
        #expect(!documented.isEmpty)
        for route in VellumRouter.routes {
            let path = route.path.replacingOccurrences(of: ":bucket", with: "{bucket}")
                .replacingOccurrences(of: "**", with: "{key}")
            let methods = documented[path] ?? []
            #expect(methods.contains(route.method.lowercased()), "\(route.method) \(path) is not in docs/openapi.yaml")
        }
    }
}

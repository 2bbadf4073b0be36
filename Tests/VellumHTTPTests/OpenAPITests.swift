import Foundation
import Testing
import VellumTesting

@Suite struct OpenAPITests {
    /// Every route the daemon's router serves is documented in docs/openapi.yaml, with its method.
    @Test func everyRouteIsDocumented() async throws {
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
        let app = try await TestApplication.make()
        let routes = app.router.routes
        await app.shutdown()
        #expect(routes.count > 20)
        for route in routes {
            let path = route.path.description.replacingOccurrences(of: "/schemas/**", with: "/schemas/{name}")
                .replacingOccurrences(of: "/pid/{scheme}/**", with: "/pid/{scheme}/{value}")
                .replacingOccurrences(of: "/doi/**", with: "/doi/{doi}")
                .replacingOccurrences(of: "/**", with: "/{key}")
                .replacingOccurrences(of: "{file}", with: "{quality}.{format}")
            let methods = documented[path] ?? []
            let method = route.method.rawValue.lowercased()
            #expect(methods.contains(method), "\(method) \(path) is not in docs/openapi.yaml")
        }
    }
}

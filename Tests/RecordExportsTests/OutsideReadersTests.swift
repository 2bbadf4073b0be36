import Foundation
import JSONSchema
import Testing

@testable import RecordExports

/// Every format of ~30 varied records read by readers and schemas nobody on the team wrote (scripts/exports_check.py,
/// with the Python environment scripts/pid-oracles.sh prepares: DataCite's JSON Schema 4.5, its kernel-4.5 XML Schema
/// and its own XML writer, rdflib, citeproc-py, pybtex with pylatexenc, OAI-PMH's oai_dc.xsd).
@Suite struct OutsideReadersTests {
    /// The exports of every sample, each with what it must be found to say, in `folder`.
    static func write(_ samples: [Sample], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (n, sample) in samples.enumerated() {
            let name = String(format: "r%02d", n)
            try sample.expectation.serialized().write(to: folder.appendingPathComponent("\(name).expect.json"), atomically: true, encoding: .utf8)
            for format in ExportFormat.allCases {
                try format.render(sample.record).write(
                    to: folder.appendingPathComponent("\(name).\(format.fileExtension)"), atomically: true, encoding: .utf8)
            }
        }
    }

    /// Set by scripts/test.sh: `VELLUM_PID_PYTHON="$(scripts/pid-oracles.sh)"`.
    @Test func outsideReadersReadEveryFormat() async throws {
        guard let python = ProcessInfo.processInfo.environment["VELLUM_PID_PYTHON"] else {
            Issue.record("VELLUM_PID_PYTHON is not set: run the suite with ./scripts/test.sh, or set it to the output of scripts/pid-oracles.sh")
            return
        }
        let samples = try Sample.all()
        #expect(samples.count >= 30)
        // VELLUM_EXPORTS_KEEP=DIR keeps the files in DIR, to read them or run scripts/exports_check.py on them by hand.
        let kept = ProcessInfo.processInfo.environment["VELLUM_EXPORTS_KEEP"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        let folder = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("vellum-exports-\(UUID().uuidString)")
        defer { if kept == nil { try? FileManager.default.removeItem(at: folder) } }
        try Self.write(samples, to: folder)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/exports_check.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, folder.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        let read = output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count
        #expect(read == samples.count * ExportFormat.allCases.count, "\(output)")
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program of a Debian package (poppler's) on a file that may be hostile: in a child process, with its
/// address space and CPU time bounded (`prlimit`), its output capped, and killed at the deadline. A crash or a
/// runaway loop of the program costs the daemon nothing but the wait.
enum ExternalTool {
    struct Result {
        var status: Int32
        var output: [UInt8]
        var errors: String
    }

    /// The address space a program may use.
    static let memory = 1 << 30

    static func run(_ executable: String, _ arguments: [String], deadline: ContinuousClock.Instant, maxOutput: Int = 32 << 20)
        throws -> Result
    {
        let remaining = deadline - .now
        guard remaining > .zero else { throw PreviewFailure.tooLong }
        let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--as=\(memory)", "--cpu=\(Int(seconds.rounded(.up)))", "--core=0", "--", executable] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw PreviewFailure("This server cannot run \(executable) to make the preview.") }
        let pid = process.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
        // Standard error is read beside standard output, so that neither pipe fills while the other is read.
        let errorText = ErrorText()
        let reader = DispatchGroup()
        DispatchQueue.global().async(group: reader) {
            errorText.value = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(4096), as: UTF8.self)
        }
        var bytes = [UInt8]()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            bytes += chunk
            if bytes.count > maxOutput {
                kill(pid, SIGKILL)
                break
            }
        }
        process.waitUntilExit()
        killer.cancel()
        reader.wait()
        if ContinuousClock.now >= deadline { throw PreviewFailure.tooLong }
        if bytes.count > maxOutput { throw PreviewFailure.tooLarge }
        let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
        return Result(status: status, output: bytes, errors: errorText.value)
    }

    /// What the reader thread read from standard error (written before `reader.wait()` returns).
    final class ErrorText: @unchecked Sendable {
        var value = ""
    }
}

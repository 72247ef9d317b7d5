import Foundation

/// Runs the built `triaged` executable, as users and systemd do.
enum TriagedBinary {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let url: URL? = {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["TRIAGED_BINARY"] {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        // The test runner lives in the build products directory beside the executable.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("triaged"))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("triaged"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Runs `triaged` with `arguments` and exactly `environment` (plus PATH), capturing its output.
    static func run(_ arguments: [String], environment: [String: String]) throws -> Outcome {
        guard let url else { throw LocalAWSWorld.WorldError(message: "the triaged executable was not built") }
        var env = environment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return try Subprocess.run(url, arguments, environment: env)
    }
}

/// Runs a program to completion, capturing both outputs.
enum Subprocess {
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws
        -> TriagedBinary.Outcome
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        final class Collected: @unchecked Sendable { var data = Data() }
        let errData = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return TriagedBinary.Outcome(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Runs a Python program given as text.
    static func python(_ program: String, _ arguments: [String] = []) throws -> TriagedBinary.Outcome {
        try run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", program] + arguments)
    }
}

import Foundation
import Testing

/// What `make demo` runs, on a scenario other than the default, with its output kept out of the tree.
@Suite("make demo", .enabled(if: IntegrationEnvironment.ready))
struct DemoTests {
    @Test("the demo drives triaged run to a printed report and stops everything it started")
    func demo() throws {
        let binary = try #require(TriagedBinary.url)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var environment = ProcessInfo.processInfo.environment
        environment["TRIAGED_DEMO_OUTPUT"] = output.path
        let outcome = try Subprocess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", LocalAWSWorld.repositoryRoot.appendingPathComponent("scripts/demo/demo.py").path,
                binary.path, "--scenario", "oom",
            ], environment: environment)
        #expect(outcome.status == 0, "\(outcome.stdout.suffix(2000))\(outcome.stderr.suffix(2000))")
        #expect(outcome.stdout.contains("demo: triaged is ready"))
        #expect(
            outcome.stdout.contains("\n# [HIGH] prodapp-alb-5xx: api tasks are being killed for running out of memory"))
        #expect(outcome.stdout.contains("demo: triaged stopped (exit 0)"))
        for name in ["report.json", "report.md", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("oom/\(name)").path))
        }
    }
}

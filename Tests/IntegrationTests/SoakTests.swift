import Foundation
import Testing

/// The short version of `make soak` (scripts/soak/soak.py --short): the same checks as the full
/// soak, at a size that fits every CI run.
@Suite("soak, short version", .enabled(if: IntegrationEnvironment.ready), .serialized)
struct SoakTests {
    func soak(_ test: String) throws {
        let binary = try #require(TriagedBinary.url)
        let outcome = try Subprocess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", LocalAWSWorld.repositoryRoot.appendingPathComponent("scripts/soak/soak.py").path,
                binary.path, "--short", test,
            ])
        print(outcome.stdout)
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr.suffix(3000))")
        #expect(outcome.stdout.contains("soak \(test): PASS"))
    }

    @Test("~20% of AWS calls fail or stall: every incident delivered exactly once, the queue drained")
    func faults() throws { try soak("faults") }

    @Test("kill -9 at random moments: still one report and one notification per incident")
    func crash() throws { try soak("crash") }

    @Test("a storm of duplicates and correlated alarms: deduplicated, correlated, bounded, under 100 MB")
    func storm() throws { try soak("storm") }

    @Test("three instances with S3 claims on one queue: each incident investigated once")
    func instances() throws { try soak("instances") }
}

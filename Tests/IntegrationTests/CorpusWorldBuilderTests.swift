import Foundation
import Testing

/// The diagnosis corpus's world builder (scripts/diagnosis/world_builder.py) makes what its specs
/// say, read back through the AWS APIs: Service Connect in DescribeServices, per-target-group
/// metrics, target health, stopped tasks, a multi-line trace as one log event per line, an
/// IAM-denied X-Ray, and a clean world after the reset between scenarios. The engine is not involved.
@Suite("corpus world builder", .enabled(if: IntegrationEnvironment.ready))
struct CorpusWorldBuilderTests {
    @Test("three corpus scenarios build into the world as their specs say")
    func builderMakesWhatTheSpecsSay() throws {
        let world = try LocalAWSWorld()
        defer { world.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "corpus-world-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let description = world.description
        let fields = [
            "moto": description.moto, "standin": description.standin, "key_id": description.key_id,
            "secret": description.secret,
        ]
        try JSONSerialization.data(withJSONObject: fields).write(to: file)
        let outcome = try Subprocess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3",
                LocalAWSWorld.repositoryRoot.appendingPathComponent("scripts/diagnosis/check_builder.py").path,
                file.path,
            ])
        #expect(outcome.status == 0, "\(outcome.stdout.suffix(3000))\(outcome.stderr.suffix(3000))")
        for check in [
            "ok serviceConnectConfiguration carries the client alias quotes.internal:8000",
            "ok the multi-line traceback arrived as one event per line",
            "ok per-target-group HealthyHostCount follows its shape (3, then 1 after the step)",
            "ok DescribeTargetHealth answers the spec's states and reason codes",
            "ok X-Ray reads are denied to the world's user by an IAM policy",
            "ok reset leaves no cluster behind",
            "builder checks passed",
        ] {
            #expect(outcome.stdout.contains(check), "missing: \(check)")
        }
    }
}

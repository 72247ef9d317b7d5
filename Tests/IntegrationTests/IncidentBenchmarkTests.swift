import AWSCore
import AWSServices
import Foundation
import Logging
import Testing

@testable import Triage

/// `make bench-incident` (not part of `make test`, which skips it): one incident's collection,
/// analysis, report and delivery times on the emulator, and the prompt triaged sends against what
/// the earlier Lambda design would have sent for the same incident (everything collected, unbounded).
@Suite(
    "incident benchmark",
    .enabled(if: IntegrationEnvironment.ready && ProcessInfo.processInfo.environment["TRIAGED_BENCH"] == "1"))
struct IncidentBenchmarkTests {
    @Test("collection, analysis, report and delivery of one incident; prompt size against the unbounded one")
    func incident() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            let context = try world.context()
            let (event, evidence, collectSeconds) = try world.collectEvidence(for: scenario, context: context)
            var tracker = IncidentTracker(correlationWindow: 300)
            guard case .open(let incident) = tracker.observe(event, now: Date()) else {
                throw LocalAWSWorld.WorldError(message: "no incident")
            }
            var clock = Date()
            let findings = FindingsEngine.findings(evidence)
            let prompt = PromptBuilder(budgetTokens: 12_000).build(alarm: event, findings: findings, evidence: evidence)
            let analyseSeconds = Date().timeIntervalSince(clock)
            clock = Date()
            let report = ReportBuilder().build(
                incident: incident, alarm: event, evidence: evidence, findings: findings,
                analysis: .rulesOnly("benchmark", modelId: nil), now: Date())
            let rendered = [
                try report.json().count, MarkdownRenderer.render(report).utf8.count,
                HTMLRenderer.render(report).utf8.count,
            ]
            let reportSeconds = Date().timeIntervalSince(clock)
            var settings = DeliverySettings()
            settings.bucket = scenario.bucket
            settings.topicArn = scenario.findings_topic
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: state) }
            clock = Date()
            _ = try ReportDeliverer(
                s3: S3Client(client: try context.client(for: .s3)),
                sns: SNSClient(client: try context.client(for: .sns)),
                settings: settings, outbox: ReportOutbox(stateDirectory: state), clock: SystemWallClock(),
                logger: Logger(label: "bench")
            ).deliver(report)
            let deliverSeconds = Date().timeIntervalSince(clock)

            // What the earlier design would have put in the prompt: every log line of the window,
            // unfiltered, and every collected record, as JSON.
            let logs = CloudWatchLogsClient(client: try context.client(for: .logs))
            var rawLogBytes = 0
            var rawLines = 0
            for group in Set(evidence.topology.logGroups.values) {
                let all = try logs.filterLogEvents(
                    group: group, start: evidence.window.start, end: evidence.window.end, pattern: nil,
                    maxEvents: 10_000_000)
                rawLines += all.events.count
                rawLogBytes += all.events.reduce(0) { $0 + $1.message.utf8.count + 1 }
            }
            let evidenceBytes = try JSONEncoder().encode(evidence).count
            let unbounded = PromptBuilder.estimateTokens(String(repeating: " ", count: rawLogBytes + evidenceBytes))
            print(
                """
                incident bench: \(evidence.apiCalls) API calls; collect \(String(format: "%.3f", collectSeconds)) s, \
                findings+prompt \(String(format: "%.1f", analyseSeconds * 1000)) ms, \
                report (json/md/html \(rendered.map(String.init).joined(separator: "/")) bytes) \
                \(String(format: "%.1f", reportSeconds * 1000)) ms, deliver \(String(format: "%.1f", deliverSeconds * 1000)) ms
                prompt bench: triaged \(prompt.estimatedTokens) tokens (budget 12000); unbounded \(unbounded) tokens \
                (\(rawLines) raw log lines, \(rawLogBytes + evidenceBytes) bytes); \
                \(String(format: "%.1f", Double(unbounded) / Double(max(1, prompt.estimatedTokens))))x smaller
                """)
            #expect(prompt.estimatedTokens <= 12_000)
        }
    }
}

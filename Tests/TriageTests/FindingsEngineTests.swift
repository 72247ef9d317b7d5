import AWSCore
import Foundation
import LogPatterns
import Testing

@testable import Triage

/// Red herrings must not win: an old deployment, a warning that was already there before the rise.
@Suite("findings rules")
struct FindingsEngineTests {
    let alarm = Date(timeIntervalSince1970: 1_736_942_400)

    func evidence() -> Evidence {
        var evidence = Evidence(
            window: TimeWindow(
                start: alarm.addingTimeInterval(-1800), end: alarm.addingTimeInterval(300), alarmTime: alarm),
            topology: Topology())
        let times = (0..<30).map { alarm.addingTimeInterval(Double(-1800 + 60 * $0)) }
        func series(_ id: String, _ name: String, _ values: [Double], service: String? = nil) -> MetricSeries {
            MetricSeries(
                id: id, namespace: "AWS/ApplicationELB", name: name, stat: "Sum",
                dimensions: service.map { ["ServiceName": $0] } ?? [:], period: 60, timestamps: times, values: values,
                summary: MetricsReader.summarise(times, values, alarmTime: alarm))
        }
        let rising = (0..<30).map { $0 >= 20 ? 40.0 : 0.0 }
        evidence.metrics = [
            series("elb5xx", "HTTPCode_ELB_5XX_Count", rising),
            series("target5xx", "HTTPCode_Target_5XX_Count", rising),
            series("cpu0", "CPUUtilization", Array(repeating: 20, count: 30), service: "api"),
        ]
        return evidence
    }

    func pattern(_ template: String, firstSeen: Date, count: Int = 40) -> LogPattern {
        LogPattern(
            id: "p1", template: template, count: count, firstSeen: AWSTimestamp.format(firstSeen),
            lastSeen: AWSTimestamp.format(alarm), level: .error, example: template)
    }

    @Test("an old, completed deployment does not beat the new dependency errors")
    func oldDeploymentIsARedHerring() {
        var evidence = evidence()
        evidence.ecs.services = [
            ServiceState(
                name: "api", desired: 2, running: 2, pending: 0, taskDefinition: "td/api:7",
                deployments: [
                    DeploymentState(
                        id: "ecs-svc/7", status: "PRIMARY", taskDefinition: "td/api:7", revision: 7, desired: 2,
                        running: 2,
                        failedTasks: 0, createdAt: alarm.addingTimeInterval(-3 * 86_400), updatedAt: nil,
                        rolloutState: "COMPLETED")
                ], events: [])
        ]
        evidence.logs = [
            LogGroupEvidence(
                group: "/ecs/api", service: "api", linesRead: 40, capped: false,
                patterns: [
                    pattern("connection refused to orders-db.internal:<*>", firstSeen: alarm.addingTimeInterval(-590))
                ])
        ]
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .dependencyFailure)
        #expect(!findings.contains { $0.category == .badDeployment })
    }

    @Test("a timeout warning that was there long before the rise does not beat OOM kills")
    func noisyWarningIsARedHerring() {
        var evidence = evidence()
        evidence.logs = [
            LogGroupEvidence(
                group: "/ecs/api", service: "api", linesRead: 500, capped: false,
                patterns: [
                    pattern(
                        "WARN upstream call timed out after <*>", firstSeen: alarm.addingTimeInterval(-1790), count: 400
                    )
                ])
        ]
        evidence.ecs.stoppedTasks = (0..<3).map { index in
            StoppedTask(
                arn: "task/\(index)", service: "api", taskDefinition: "td/api:7", stopCode: "EssentialContainerExited",
                stoppedReason: "Essential container in task exited", stoppedAt: alarm.addingTimeInterval(-300),
                containers: [
                    StoppedContainer(
                        name: "api", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage")
                ])
        }
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .outOfMemory)
        #expect(!findings.contains { $0.category == .dependencyFailure })
        #expect(findings.first?.evidence.first?.contains("exit 137") == true)
    }

    @Test("nothing conclusive is an unknown finding that says what was checked")
    func unknown() {
        var evidence = evidence()
        evidence.metrics = []
        evidence.gaps = [Gap(source: "xray", reason: "AccessDeniedException on xray:GetTraceSummaries")]
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.map(\.category) == [.unknown])
        #expect(findings.first?.evidence.contains { $0.contains("not read: xray") } == true)
    }

    @Test("confidence stays within 0…1 and findings are ranked")
    func ranking() {
        let finding = Finding(category: .throttling, title: "t", confidence: 1.7, evidence: [])
        #expect(finding.confidence == 1)
        var evidence = evidence()
        evidence.logs = [
            LogGroupEvidence(
                group: "g", service: "api", linesRead: 10, capped: false,
                patterns: [
                    pattern("ThrottlingException: Rate exceeded", firstSeen: alarm.addingTimeInterval(-600)),
                    pattern("NullPointerException at Foo", firstSeen: alarm.addingTimeInterval(-600)),
                ])
        ]
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.map(\.confidence) == findings.map(\.confidence).sorted(by: >))
        #expect(findings.first?.category == .throttling)
        #expect(findings.allSatisfy { $0.confidence >= 0 && $0.confidence <= 1 })
    }

    @Test("absurd metric values (untrusted telemetry) are reported, never a trap")
    func absurdValues() {
        var evidence = evidence()
        for index in evidence.metrics.indices {
            evidence.metrics[index].values = evidence.metrics[index].values.map { _ in 1e300 }
            evidence.metrics[index].summary?.peak = 1e300
        }
        let findings = FindingsEngine.findings(evidence)
        // `unknown` is always there, so "not empty" would hold whatever the rules did: assert what
        // absurd values must not do instead (and NonFiniteReportPathTests takes them to the report).
        #expect(findings.contains { $0.category == .unknown })
        #expect(findings.allSatisfy { $0.confidence.isFinite && (0...1).contains($0.confidence) })
        let texts = findings.flatMap { [$0.title] + $0.evidence }.joined(separator: "\n")
        #expect(!NonFiniteReportPathTests.hasNonFiniteWord(texts), "\(texts)")
        #expect(
            (1e300).wholeNumber == Int.max && (-Double.infinity).wholeNumber == Int.min && Double.nan.wholeNumber == 0)
    }
}

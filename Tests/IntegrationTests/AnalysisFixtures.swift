import Foundation
import LogPatterns

@testable import Triage

/// An alarm, a finding and secret-laden evidence for the analysis tests.
enum AnalysisFixtures {
    static let alarmTime = Date(timeIntervalSince1970: 1_736_942_400)

    static func alarm() -> AlarmEvent {
        AlarmEvent(
            alarmName: "prodapp-alb-5xx", alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:prodapp-alb-5xx",
            state: .alarm, previousState: .ok, stateChangeTime: alarmTime, reason: "Threshold Crossed",
            region: "us-east-1",
            accountId: "123456789012", metric: nil, alarmRule: nil, triggeringChildren: [], source: .snsNotification,
            messageId: nil)
    }

    static let findings = [
        Finding(
            category: .dependencyFailure, title: "Calls to orders-db are failing", confidence: 0.9, evidence: ["logs"])
    ]

    /// Log patterns whose examples hold keys, passwords and e-mail addresses.
    static func secretLadenEvidence(patterns: Int = 400) -> Evidence {
        var evidence = Evidence(
            window: TimeWindow(start: alarmTime.addingTimeInterval(-1800), end: alarmTime, alarmTime: alarmTime),
            topology: Topology())
        evidence.logs = [
            LogGroupEvidence(
                group: "/ecs/api", service: "api", linesRead: 20_000, capped: true,
                patterns: (0..<patterns).map { index in
                    LogPattern(
                        id: "p\(index)", template: "login failed for <*> with key <*> (\(index))", count: index + 1,
                        firstSeen: nil, lastSeen: nil, level: .error,
                        example: "login failed for alice\(index)@example.com with key AKIAIOSFODNN7EXAMPL\(index % 10) "
                            + "password=hunter\(index) via postgres://app:S3cret\(index)@db:5432/x")
                })
        ]
        return evidence
    }
}

import AWSServices
import Foundation
import Testing

@testable import Triage

@Suite("SNS notifications")
struct NotificationTests {
    @Test("text: subject under 100 ASCII characters, severity, alarm, three findings, summary, links, attributes")
    func text() throws {
        var report = ReportFixtures.report()
        report.links.report = "https://prodapp-incident-reports.s3.eu-west-1.amazonaws.com/x?X-Amz-Signature=abc"
        let notification = IncidentNotification(report: report, format: .text)
        #expect(
            notification.subject.hasPrefix(
                "[ALARM] prodapp-alb-5xx: New deployment of api (api:43) is failing since the errors began"))
        #expect(notification.subject.count < 100)
        let lines = notification.message.split(separator: "\n").map(String.init)
        #expect(lines.first == "[HIGH] prodapp-alb-5xx went into ALARM at 2025-11-25 10:04 UTC")
        #expect(report.findings.count >= 2)
        #expect(
            lines.filter { $0.range(of: #"^\d\. "#, options: .regularExpression) != nil }.count
                == min(3, report.findings.count))
        #expect(notification.message.contains("Summary:\n" + report.summary))
        #expect(notification.message.contains("Report: https://prodapp-incident-reports.s3."))
        #expect(notification.message.contains("Alarm: https://eu-west-1.console.aws.amazon.com/cloudwatch/"))
        #expect(
            notification.attributes == [
                .init(name: "severity", value: "high"), .init(name: "category", value: "bad_deployment"),
                .init(name: "cluster", value: "prodapp-ecs-cluster"), .init(name: "service", value: "api"),
                .init(name: "status", value: "open"),
            ])
        #expect(notification.message.contains("   - service api · resource api:43\n"))
        try SNSClient.validate(
            message: notification.message, subject: notification.subject, attributes: notification.snsAttributes,
            structure: false)
    }

    @Test("a long, non-ASCII alarm name is cut cleanly at a word with '...'; huge evidence stays far under 256 KB")
    func limits() throws {
        var evidence = ReportFixtures.evidence(patterns: 400)
        evidence.ecs.stoppedTasks += (0..<2000).map { index in
            StoppedTask(
                arn: "arn:aws:ecs:eu-west-1:123456789012:task/c/\(index)", service: "api", taskDefinition: nil,
                stopCode: "EssentialContainerExited", stoppedReason: String(repeating: "OutOfMemoryError ", count: 200),
                stoppedAt: ReportFixtures.alarmTime, containers: [.init(name: "api", exitCode: 137, reason: "OOM")])
        }
        var analysis = ReportFixtures.rulesAnalysis()
        analysis.source = .bedrock
        analysis.summary = String(repeating: "The model wrote a very long summary. ", count: 20_000)
        analysis.actions = (0..<500).map { "Step \($0): " + String(repeating: "do the thing ", count: 100) }
        var report = ReportFixtures.report(evidence: evidence, analysis: analysis)
        report.incident.alarms[0].name = "prodapp-ümlaut-" + String(repeating: "very-long-alarm-name ", count: 8)
        for format in IncidentNotification.Format.allCases {
            let notification = IncidentNotification(report: report, format: format)
            #expect(notification.subject.count <= 99)
            #expect(notification.subject.hasSuffix("..."))
            #expect(notification.subject.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
            #expect(!notification.subject.dropLast(3).hasSuffix(" "))
            #expect(notification.message.utf8.count <= 16_384, "\(format): \(notification.message.utf8.count) bytes")
            try SNSClient.validate(
                message: notification.message, subject: notification.subject, attributes: notification.snsAttributes,
                structure: false)
        }
    }

    @Test("chatbot: the Amazon Q Developer custom notification schema, with Slack markup escaped")
    func chatbot() throws {
        var report = ReportFixtures.report()
        report.links.report = "https://example-bucket.s3.amazonaws.com/r.html?X-Amz-Signature=1"
        report.findings[0].title = "Injected <!channel> & <https://evil.example|click>"
        let notification = IncidentNotification(report: report, format: .chatbot)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(notification.message.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "1.0")
        #expect(object["source"] as? String == "custom")
        #expect(object["id"] as? String == report.incident.id)
        let content = try #require(object["content"] as? [String: Any])
        #expect(content["textType"] as? String == "client-markdown")
        let title = try #require(content["title"] as? String)
        let description = try #require(content["description"] as? String)
        #expect(title.contains("[HIGH] prodapp-alb-5xx"))
        #expect(title.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"))
        #expect(description.contains("<https://example-bucket.s3.amazonaws.com/r.html?X-Amz-Signature=1|Full report>"))
        #expect(!description.contains("<!channel>") && !title.contains("<!channel>"))
        #expect((content["nextSteps"] as? [String])?.count == report.nextSteps.count)
        #expect((content["keywords"] as? [String])?.contains("bad_deployment") == true)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["threadId"] as? String == "triaged-\(report.incident.id)")
    }
}

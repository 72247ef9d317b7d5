import Foundation
import Testing

/// `triaged replay` takes every accepted message shape through intake.
@Suite("triaged replay", .enabled(if: TriagedBinary.url != nil))
struct ReplayCommandTests {
    static let notification =
        #"{"AlarmName":"alb-5xx","NewStateValue":"ALARM","OldStateValue":"OK","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:alb-5xx","StateChangeTime":"2024-07-05T15:20:44.959+0000","NewStateReason":"Threshold Crossed","Trigger":{"Namespace":"AWS/ApplicationELB","MetricName":"HTTPCode_ELB_5XX_Count","Dimensions":[{"value":"app/prod/1","name":"LoadBalancer"}]}}"#

    static var shapes: [(String, String)] {
        let quoted = String(
            decoding: (try? JSONSerialization.data(withJSONObject: [notification])) ?? Data(), as: UTF8.self)
        let envelope =
            #"{"Type":"Notification","MessageId":"m","TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"#
            + quoted.dropFirst().dropLast() + "}"
        let eventBridge =
            #"{"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch","resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:alb-5xx"],"detail":{"alarmName":"alb-5xx","state":{"value":"ALARM","timestamp":"2024-07-05T15:20:44.959+0000","reason":"r"},"previousState":{"value":"OK"}}}"#
        let describe =
            #"{"AlarmName":"alb-5xx","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:alb-5xx","StateValue":"ALARM","StateUpdatedTimestamp":"2024-07-05T15:20:44.959Z"}"#
        return [
            ("snsNotification", envelope), ("rawNotification", notification), ("eventBridge", eventBridge),
            ("describeAlarms", describe),
        ]
    }

    @Test("every shape is accepted; the same transition is one incident across shapes")
    func everyShape() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml")
        try "state:\n  dir: \(directory.appendingPathComponent("state").path)\n".write(
            to: config, atomically: true, encoding: .utf8)
        var transitions: Set<String> = []
        for (index, (source, body)) in Self.shapes.enumerated() {
            let file = directory.appendingPathComponent("m\(index).json")
            try body.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try TriagedBinary.run(
                ["replay", "--file", file.path, "--config", config.path], environment: [:])
            #expect(outcome.status == 0, "\(source): \(outcome.stderr)")
            #expect(outcome.stdout.contains("source       \(source)"))
            let line = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("transition") }
            transitions.insert(String(line ?? ""))
            #expect(
                outcome.stdout.contains(index == 0 ? "decision     opens incident" : "decision     already known"),
                "\(outcome.stdout)")
        }
        #expect(transitions.count == 1)
    }

    @Test("garbage exits 2 with the reason; --dry-run records nothing")
    func garbageAndDryRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.json")
        try #"{"detail-type":"EC2 Instance State-change Notification"}"#.write(
            to: bad, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("config.yaml")
        try "state:\n  dir: \(directory.appendingPathComponent("state").path)\n".write(
            to: config, atomically: true, encoding: .utf8)
        let outcome = try TriagedBinary.run(["replay", "--file", bad.path, "--config", config.path], environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("not a usable alarm message"))
        let good = directory.appendingPathComponent("good.json")
        try Self.notification.write(to: good, atomically: true, encoding: .utf8)
        let dry = try TriagedBinary.run(
            ["replay", "--file", good.path, "--config", config.path, "--dry-run"], environment: [:])
        #expect(dry.status == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/incidents.json").path))
    }
}

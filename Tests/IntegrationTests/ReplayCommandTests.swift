import AWSServices
import Foundation
import Testing
import Triage

/// `triaged replay` takes every accepted message shape through intake and the pipeline;
/// `triaged investigate` runs the pipeline for a named alarm.
@Suite("triaged replay and investigate", .enabled(if: IntegrationEnvironment.ready))
struct ReplayCommandTests {
    /// A configuration for `world`: no model, reports to `local` (and S3/SNS when a scenario is given).
    static func config(
        _ world: LocalAWSWorld, directory: URL, scenario: LocalAWSWorld.Scenario? = nil
    ) throws -> (URL, [String: String]) {
        var text = """
            aws:
              region: us-east-1
              endpoint_url: \(world.description.moto)
              allow_http: true
            analysis:
              bedrock:
                enabled: false
            state:
              dir: \(directory.appendingPathComponent("state").path)
            report:
              local_dir: \(directory.appendingPathComponent("reports").path)

            """
        if let scenario {
            text += """
                  s3:
                    bucket: \(scenario.bucket)
                  sns:
                    topic_arn: \(scenario.findings_topic)
                collect:
                  ecs:
                    cluster: \(scenario.cluster)

                """
        }
        let url = directory.appendingPathComponent("config.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let environment = [
            "AWS_ACCESS_KEY_ID": world.description.key_id, "AWS_SECRET_ACCESS_KEY": world.description.secret,
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": directory.path,
        ]
        return (url, environment)
    }

    /// A world with the bad-deployment scenario, its alarm fired, and a configuration for it.
    static func withFiredScenario(
        _ body: (LocalAWSWorld, LocalAWSWorld.Scenario, URL, URL, [String: String]) throws -> Void
    ) throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            try world.fireAlarm(scenario.alarm)
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (config, environment) = try Self.config(world, directory: directory, scenario: scenario)
            try body(world, scenario, directory, config, environment)
        }
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

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

    @Test("every shape is accepted; the same transition is one incident and one report across shapes")
    func everyShape() throws {
        try LocalAWSWorld.with { world in
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (config, environment) = try Self.config(world, directory: directory)
            var transitions: Set<String> = []
            for (index, (source, body)) in Self.shapes.enumerated() {
                let file = directory.appendingPathComponent("m\(index).json")
                try body.write(to: file, atomically: true, encoding: .utf8)
                let outcome = try TriagedBinary.run(
                    ["replay", "--file", file.path, "--config", config.path], environment: environment)
                #expect(outcome.status == 0, "\(source): \(outcome.stderr)")
                #expect(outcome.stdout.contains("source       \(source)"))
                let line = outcome.stdout.split(separator: "\n").first { $0.hasPrefix("transition") }
                transitions.insert(String(line ?? ""))
                #expect(
                    outcome.stdout.contains(index == 0 ? "decision     opens incident" : "decision     already known"),
                    "\(outcome.stdout)")
                // The first one is investigated and delivered; the others are recognised.
                #expect(outcome.stdout.contains("local copy   ") == (index == 0), "\(outcome.stdout)")
            }
            #expect(transitions.count == 1)
            let reports = try FileManager.default.contentsOfDirectory(
                atPath: directory.appendingPathComponent("reports").path)
            #expect(reports.count == 1)
            let markdown = try String(
                contentsOf: directory.appendingPathComponent("reports/\(reports[0])/report.md"), encoding: .utf8)
            #expect(markdown.hasPrefix("# [HIGH] alb-5xx: "))
            // The load balancer of this message does not exist: a gap, not a failure.
            #expect(markdown.contains("## Gaps"))
        }
    }

    @Test("Lambda SQS/SNS events and a DescribeAlarms response replay each record; a composite goes through its child")
    func recordsAndComposites() throws {
        try Self.withFiredScenario { world, scenario, directory, config, environment in
            func replay(_ name: String, _ object: Any) throws -> TriagedBinary.Outcome {
                let file = directory.appendingPathComponent(name)
                try JSONSerialization.data(withJSONObject: object).write(to: file)
                return try TriagedBinary.run(
                    ["replay", "--file", file.path, "--config", config.path, "--dry-run"], environment: environment)
            }
            let ok = Self.notification.replacingOccurrences(
                of: #""NewStateValue":"ALARM""#, with: #""NewStateValue":"OK""#)
            let sqs = try replay(
                "sqs.json", ["Records": [["messageId": "a", "body": ok], ["messageId": "b", "body": ok]]])
            #expect(sqs.status == 0, "\(sqs.stderr)")
            #expect(sqs.stdout.contains("record       1 of 2") && sqs.stdout.contains("record       2 of 2"))
            let sns = try replay(
                "sns.json", ["Records": [["EventSource": "aws:sns", "Sns": ["Type": "Notification", "Message": ok]]]])
            #expect(sns.status == 0, "\(sns.stderr)")
            #expect(sns.stdout.contains("source       snsNotification"))
            let describe = try replay(
                "describe.json",
                [
                    "MetricAlarms": [
                        [
                            "AlarmName": "m", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:m",
                            "StateValue": "OK",
                            "StateUpdatedTimestamp": 1.7e9, "Threshold": 0.0,
                        ] as [String: Any]
                    ],
                    "LogAlarms": [
                        [
                            "AlarmName": "l", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:l",
                            "StateValue": "OK",
                            "StateUpdatedTimestamp": 1.7e9,
                            "ScheduledQueryConfiguration": [
                                "QueryString": "filter @message like /ERROR/", "LogGroupIdentifiers": ["/ecs/api"],
                            ],
                        ]
                    ],
                ])
            #expect(describe.status == 0, "\(describe.stderr)")
            #expect(describe.stdout.contains("record       2 of 2"))
            #expect(describe.stdout.contains("log query    /ecs/api filter @message like /ERROR/"))
            let child = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\(scenario.alarm)"
            let reasonData = String(
                decoding: try JSONSerialization.data(withJSONObject: [
                    "triggeringAlarms": [
                        ["arn": child, "state": ["value": "ALARM", "timestamp": "2024-07-05T15:20:44.959+0000"]]
                    ]
                ]), as: UTF8.self)
            let composite = try replay(
                "composite.json",
                [
                    "source": "aws.cloudwatch",
                    "alarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:prodapp-health",
                    "accountId": "123456789012", "time": "2024-07-05T15:20:45.000+0000", "region": "us-east-1",
                    "alarmData": [
                        "alarmName": "prodapp-health",
                        "state": [
                            "value": "ALARM", "reason": "child", "reasonData": reasonData,
                            "timestamp": "2024-07-05T15:20:45.000+0000",
                        ],
                        "configuration": ["alarmRule": "ALARM(\(scenario.alarm))"],
                    ] as [String: Any],
                ])
            #expect(composite.status == 0, "\(composite.stderr)")
            #expect(composite.stdout.contains("source       lambdaAlarmAction"))
            #expect(composite.stdout.contains("children     \(scenario.alarm)"), "\(composite.stdout)")
            #expect(
                composite.stdout.contains(
                    "metric       AWS/ApplicationELB HTTPCode_ELB_5XX_Count LoadBalancer=\(scenario.load_balancer)"))
        }
    }

    @Test("garbage exits 2 with the reason; --dry-run records and publishes nothing and prints the Markdown")
    func garbageAndDryRun() throws {
        try LocalAWSWorld.with { world in
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let (config, environment) = try Self.config(world, directory: directory)
            let bad = directory.appendingPathComponent("bad.json")
            try #"{"detail-type":"EC2 Instance State-change Notification"}"#.write(
                to: bad, atomically: true, encoding: .utf8)
            let outcome = try TriagedBinary.run(
                ["replay", "--file", bad.path, "--config", config.path], environment: environment)
            #expect(outcome.status == 2)
            #expect(outcome.stderr.contains("not a usable alarm message"))
            let good = directory.appendingPathComponent("good.json")
            try Self.notification.write(to: good, atomically: true, encoding: .utf8)
            let out = directory.appendingPathComponent("out")
            let dry = try TriagedBinary.run(
                ["replay", "--file", good.path, "--config", config.path, "--dry-run", "--out", out.path],
                environment: environment)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("\n# [HIGH] alb-5xx: "), "\(dry.stdout)")
            #expect(
                !FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/incidents.json").path))
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("reports").path))
            for name in ["report.json", "report.md", "report.html"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path))
            }
        }
    }

    @Test("replay goes through the daemon's intake and claims: an incident another instance holds is left to it")
    func replayHonoursClaims() throws {
        try Self.withFiredScenario { world, scenario, directory, config, environment in
            var text = try String(contentsOf: config, encoding: .utf8)
            text = text.replacingOccurrences(of: "state:\n", with: "state:\n  claims: s3\n")
            try text.write(to: config, atomically: true, encoding: .utf8)
            let file = directory.appendingPathComponent("message.json")
            try Self.notification.write(to: file, atomically: true, encoding: .utf8)
            // Another instance has taken this transition's incident.
            var tracker = IncidentTracker(correlationWindow: 300)
            let event = try AlarmMessageParser.parse(Self.notification)
            guard case .open(let incident) = tracker.observe(event, now: Date()) else {
                Issue.record("the message opens no incident")
                return
            }
            let s3 = S3Client(client: try world.context().client(for: .s3))
            let other = S3Claims(
                s3: s3, bucket: scenario.bucket, prefix: "incidents/", owner: "other-host:/var/lib/triaged")
            #expect(try other.claim(incident.id, now: Date()))
            let held = try TriagedBinary.run(
                ["replay", "--file", file.path, "--config", config.path], environment: environment)
            #expect(held.status == 1, "\(held.stdout)\n\(held.stderr)")
            #expect(held.stdout.contains("decision     opens incident \(incident.id)"), "\(held.stdout)")
            #expect(held.stderr.contains("held by another instance"), "\(held.stderr)")
            let reports = directory.appendingPathComponent("reports")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: reports.path))?.isEmpty ?? true)
            // The incident was handed back, not lost: the state still has it open for a later taker.
            let saved = try #require(try IncidentStore(directory: directory.appendingPathComponent("state")).load())
            #expect(saved.incidents[incident.id]?.phase == .open)
        }
    }

    @Test("investigate: --dry-run prints the report; without it the report is delivered to S3 and SNS")
    func investigate() throws {
        try Self.withFiredScenario { world, scenario, directory, config, environment in
            let dry = try TriagedBinary.run(
                ["investigate", "--alarm", scenario.alarm, "--config", config.path, "--dry-run"],
                environment: environment)
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(
                dry.stdout.hasPrefix("# [HIGH] prodapp-alb-5xx: New deployment of api (prodapp-api:2)"),
                "\(dry.stdout.prefix(300))")
            let real = try TriagedBinary.run(
                ["investigate", "--alarm", scenario.alarm, "--config", config.path], environment: environment)
            #expect(real.status == 0, "\(real.stderr)")
            #expect(real.stdout.contains("report       s3://\(scenario.bucket)/incidents/"), "\(real.stdout)")
            #expect(real.stdout.contains("notification published"))
            let missing = try TriagedBinary.run(
                ["investigate", "--alarm", "no-such-alarm", "--config", config.path], environment: environment)
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("no alarm named 'no-such-alarm'"))
        }
    }
}

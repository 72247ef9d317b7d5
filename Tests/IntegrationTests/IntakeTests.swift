import AWSCore
import AWSServices
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing
import Triage

/// Intake against the local AWS world: both alarm paths, duplicates, malformed messages, and two
/// instances sharing one queue with S3 claims.
@Suite("intake against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct IntakeTests {
    func stateDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString)")
    }

    func sendRaw(_ context: AWSContext, queue: String, body: String) throws {
        let payload = try JSONSerialization.data(withJSONObject: ["QueueUrl": queue, "MessageBody": body])
        _ = try context.client(for: .sqs).json("SendMessage", body: payload)
    }

    /// Copies every message now in the queue once more (duplicate deliveries), then makes them visible.
    func duplicateAll(_ context: AWSContext, queue: String, expected: Int) throws {
        let sqs = SQSClient(client: try context.client(for: .sqs))
        var seen: [SQSMessage] = []
        for _ in 0..<20 where seen.count < expected {
            seen += try sqs.receiveMessages(queueURL: queue, waitSeconds: 1, visibilityTimeout: 30)
        }
        #expect(seen.count == expected)
        for message in seen {
            try sendRaw(context, queue: queue, body: message.body)
            try sqs.changeMessageVisibility(queueURL: queue, receiptHandle: message.receiptHandle, timeout: 0)
        }
    }

    @Test("one transition delivered twice and seen by the poller is one incident; malformed messages stay queued")
    func oneIncidentManyPaths() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario()
            let context = try world.context()
            try world.fireAlarm(scenario.alarm, reason: "Threshold Crossed: test")
            try duplicateAll(context, queue: scenario.intake_queue, expected: 1)
            let malformed = [
                "not json at all", #"{"hello":"world"}"#, #"{"Type":"Notification","Message":"plain"}"#,
                #"{"AlarmName":"x","NewStateValue":"ALARM","AlarmArn":"arn:aws:sns:us-east-1:1:t","StateChangeTime":"2024-01-01T00:00:00Z"}"#,
                #"{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2"}"#,
            ]
            for body in malformed { try sendRaw(context, queue: scenario.intake_queue, body: body) }

            let logs = InMemoryLogHandler()
            let logger = Logger(label: "test") { _ in logs }
            let directory = stateDirectory()
            let intake = try Intake(
                store: IncidentStore(directory: directory), correlationWindow: 300, claims: LocalClaims(),
                clock: SystemWallClock(), logger: logger)
            let consumer = QueueConsumer(
                sqs: SQSClient(client: try context.client(for: .sqs)), queueURL: scenario.intake_queue,
                visibilityTimeout: 2,
                logger: logger)
            let poller = AlarmPoller(
                cloudWatch: CloudWatchClient(client: try context.client(for: .cloudWatch)), names: [scenario.alarm],
                prefixes: ["prodapp-"], maxAge: 86_400, logger: logger)
            var investigated: [String] = []
            func handle(_ event: AlarmEvent) throws {
                if case .investigate(let incident) = try intake.record(event), try intake.begin(incident.id) {
                    investigated.append(incident.id)
                    try intake.finish(incident.id)
                }
            }
            for event in try poller.poll(now: Date()) { try handle(event) }
            var empty = 0
            while empty < 2 {
                let messages = try consumer.receive(wait: 1)
                empty = messages.isEmpty ? empty + 1 : 0
                for message in messages {
                    try handle(message.event)
                    try consumer.acknowledge(message)
                }
            }
            #expect(investigated.count == 1)
            let unusable = logs.entries.filter { $0.message.description.hasPrefix("unusable intake message") }
            #expect(unusable.count >= 5)
            #expect(unusable.allSatisfy { $0.metadata["sqs.message_id"] != nil && $0.metadata["reason"] != nil })

            // The malformed messages were not deleted: they come back once their visibility ends.
            let sqs = SQSClient(client: try context.client(for: .sqs))
            var left: [String] = []
            _ = try waitUntil(timeout: 15) {
                left += try sqs.receiveMessages(queueURL: scenario.intake_queue, waitSeconds: 1, visibilityTimeout: 30)
                    .map(\.body)
                return left.count >= malformed.count
            }
            #expect(Set(left) == Set(malformed))

            // A restart from the saved state sends nothing again.
            let restarted = try Intake(
                store: IncidentStore(directory: directory), correlationWindow: 300, claims: LocalClaims(),
                clock: SystemWallClock(), logger: logger)
            for event in try poller.poll(now: Date()) {
                if case .investigate = try restarted.record(event) { Issue.record("a delivered incident was reopened") }
            }
        }
    }

    @Test("two instances with S3 claims on one queue investigate each of 20 incidents exactly once")
    func twoInstances() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            let cloudWatch = try context.client(for: .cloudWatch)
            for index in 0..<20 {
                var parameters = QueryParameters()
                parameters.add("AlarmName", "lb-\(index)-5xx")
                parameters.add("MetricName", "HTTPCode_ELB_5XX_Count")
                parameters.add("Namespace", "AWS/ApplicationELB")
                parameters.add("Statistic", "Sum")
                parameters.add("Period", "60")
                parameters.add("EvaluationPeriods", "1")
                parameters.add("Threshold", "10")
                parameters.add("ComparisonOperator", "GreaterThanThreshold")
                parameters.add("Dimensions.member.1.Name", "LoadBalancer")
                parameters.add("Dimensions.member.1.Value", "app/lb-\(index)/0123456789abcdef")
                parameters.add("AlarmActions.member.1", scenario.alarm_topic)
                _ = try cloudWatch.query("PutMetricAlarm", parameters)
                try world.fireAlarm("lb-\(index)-5xx", reason: "Threshold Crossed: test")
            }
            try duplicateAll(context, queue: scenario.intake_queue, expected: 20)

            let counts = Mutex<[String: Int]>([:])
            let s3 = S3Client(client: try context.client(for: .s3))
            let instances = try ["instance-a", "instance-b"].map { owner in
                try Intake(
                    store: IncidentStore(directory: stateDirectory()), correlationWindow: 300,
                    claims: S3Claims(s3: s3, bucket: scenario.bucket, prefix: "incidents/", owner: owner),
                    clock: SystemWallClock(), logger: Logger(label: owner))
            }
            let consumer = QueueConsumer(
                sqs: SQSClient(client: try context.client(for: .sqs)), queueURL: scenario.intake_queue,
                visibilityTimeout: 30,
                logger: Logger(label: "consumer"))
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: instances.count) { which in
                let intake = instances[which]
                var empty = 0
                do {
                    while empty < 3 {
                        let messages = try consumer.receive(wait: 1)
                        empty = messages.isEmpty ? empty + 1 : 0
                        for message in messages {
                            if case .investigate(let incident) = try intake.record(message.event),
                                try intake.begin(incident.id)
                            {
                                counts.withLock { $0[incident.id, default: 0] += 1 }
                                try intake.finish(incident.id)
                            }
                            try consumer.acknowledge(message)
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
            let final = counts.withLock { $0 }
            #expect(final.count == 20)
            #expect(final.values.allSatisfy { $0 == 1 })

            // Deterministically: both instances see the same new transition; only one may take it.
            let event = AlarmEvent(
                alarmName: "lb-0-5xx", alarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:lb-0-5xx",
                state: .alarm,
                previousState: .ok, stateChangeTime: Date().addingTimeInterval(3600), reason: "again",
                region: "us-east-1",
                accountId: "123456789012", metric: nil, alarmRule: nil, triggeringChildren: [],
                source: .snsNotification,
                messageId: nil)
            guard case .investigate(let first) = try instances[0].record(event),
                case .investigate(let second) = try instances[1].record(event)
            else {
                Issue.record("each instance's own state sees a new incident")
                return
            }
            #expect(first.id == second.id)
            #expect(try instances[0].begin(first.id))
            #expect(try !instances[1].begin(second.id))

            // An expired claim (its owner died) is taken over by exactly one other instance.
            let dying = S3Claims(s3: s3, bucket: scenario.bucket, prefix: "incidents/", owner: "dying", lifetime: -1)
            let takers = ["c", "d"].map { S3Claims(s3: s3, bucket: scenario.bucket, prefix: "incidents/", owner: $0) }
            #expect(try dying.claim("orphan", now: Date()))
            #expect(try takers[0].claim("orphan", now: Date()))
            #expect(try !takers[1].claim("orphan", now: Date()))
        }
    }

    @Test("the heartbeat keeps a message invisible while held, and lets it go when dropped")
    func heartbeat() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            try sendRaw(context, queue: scenario.intake_queue, body: IntakeTests.sample)
            let sqs = SQSClient(client: try context.client(for: .sqs))
            let consumer = QueueConsumer(
                sqs: sqs, queueURL: scenario.intake_queue, visibilityTimeout: 4, logger: Logger(label: "t"))
            let message = try #require(try consumer.receive(wait: 2).first)
            let heartbeat = VisibilityHeartbeat(
                consumer: consumer, interval: 0.5, extension: 4, logger: Logger(label: "t"))
            heartbeat.hold(message)
            // An absence, so watched over time: held 7 s, past its 4 s visibility, it stays hidden.
            Thread.sleep(forTimeInterval: 7)
            #expect(try sqs.receiveMessages(queueURL: scenario.intake_queue, waitSeconds: 0).isEmpty)
            heartbeat.drop(message)
            // Dropped: it comes back once its last extension (4 s) runs out.
            var back: [SQSMessage] = []
            #expect(
                try waitUntil(timeout: 12) {
                    back += try sqs.receiveMessages(queueURL: scenario.intake_queue, waitSeconds: 1)
                    return !back.isEmpty
                })
            #expect(back.count == 1)
            heartbeat.stop()
        }
    }

    static let sample =
        #"{"AlarmName":"a","NewStateValue":"ALARM","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a","StateChangeTime":"2024-01-01T00:00:00.000+0000","NewStateReason":"r"}"#
}

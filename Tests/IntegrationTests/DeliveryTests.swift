import AWSCore
import AWSServices
import Foundation
import LogPatterns
import Logging
import Testing

@testable import Triage

/// Report delivery to the emulator's S3 and SNS through the outbox.
@Suite("report delivery to S3 and SNS", .enabled(if: IntegrationEnvironment.ready))
struct DeliveryTests {
    struct Simulated: Error {}

    /// A scenario's incident, investigated with the rules only.
    func investigate(
        _ world: LocalAWSWorld, _ scenario: LocalAWSWorld.Scenario, context: AWSContext,
        inflate: (inout Evidence) -> Void = { _ in }
    ) throws -> Report {
        var (event, evidence, _) = try world.collectEvidence(for: scenario, context: context)
        inflate(&evidence)
        var tracker = IncidentTracker(correlationWindow: 300)
        guard case .open(let incident) = tracker.observe(event, now: Date()) else {
            throw LocalAWSWorld.WorldError(message: "the alarm opened no incident")
        }
        return ReportBuilder().build(
            incident: incident, alarm: event, evidence: evidence, findings: FindingsEngine.findings(evidence),
            analysis: .rulesOnly("model analysis is disabled in the configuration", modelId: nil), now: Date())
    }

    func deliverer(
        _ context: AWSContext, _ scenario: LocalAWSWorld.Scenario, state: URL,
        format: IncidentNotification.Format = .text,
        afterStep: @escaping @Sendable (DeliveryStep) throws -> Void = { _ in }
    ) throws -> ReportDeliverer {
        var settings = DeliverySettings()
        settings.bucket = scenario.bucket
        settings.topicArn = scenario.findings_topic
        settings.format = format
        settings.backoff = 0.1
        return ReportDeliverer(
            s3: S3Client(client: try context.client(for: .s3)), sns: SNSClient(client: try context.client(for: .sns)),
            settings: settings, outbox: ReportOutbox(stateDirectory: state), clock: context.clock,
            logger: Logger(label: "t"), afterStep: afterStep)
    }

    /// Every notification on the findings queue (SNS envelopes), drained.
    func notifications(_ context: AWSContext, _ scenario: LocalAWSWorld.Scenario) throws -> [[String: Any]] {
        let sqs = SQSClient(client: try context.client(for: .sqs))
        var all: [[String: Any]] = []
        while true {
            let batch = try sqs.receiveMessages(queueURL: scenario.findings_queue, maxMessages: 10, waitSeconds: 1)
            if batch.isEmpty { break }
            for message in batch {
                all.append(try JSONSerialization.jsonObject(with: Data(message.body.utf8)) as? [String: Any] ?? [:])
                try sqs.deleteMessage(queueURL: scenario.findings_queue, receiptHandle: message.receiptHandle)
            }
        }
        return all
    }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("triaged-delivery-\(UUID().uuidString)")
    }

    /// Validates report.json bytes against docs/report.schema.json with Python's jsonschema.
    func validateAgainstSchema(_ json: [UInt8]) throws {
        let file = temporaryDirectory().appendingPathExtension("json")
        try Data(json).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let schema = LocalAWSWorld.repositoryRoot.appendingPathComponent("docs/report.schema.json").path
        let outcome = try Subprocess.python(
            """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
            for e in errors: print(list(e.absolute_path), e.message[:300])
            sys.exit(1 if errors else 0)
            """, [schema, file.path])
        #expect(outcome.status == 0, "report.json does not match the schema:\n\(outcome.stdout)\(outcome.stderr)")
    }

    @Test(
        "three encrypted objects with their content types, a schema-valid report.json, one notification; a second delivery overwrites nothing and stays silent"
    )
    func deliverOnce() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            let context = try world.context()
            let report = try investigate(world, scenario, context: context)
            let state = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            let result = try deliverer(context, scenario, state: state).deliver(report)
            #expect(result.notification == .published)
            #expect(result.alreadyPresent.isEmpty)
            #expect(result.reportURL?.contains("X-Amz-Signature=") == true)

            let s3 = S3Client(client: try context.client(for: .s3))
            var settings = DeliverySettings()
            settings.prefix = "incidents/"
            var etags: [String: String] = [:]
            for (name, type) in [
                ("report.json", "application/json"), ("report.md", "text/markdown; charset=utf-8"),
                ("report.html", "text/html; charset=utf-8"),
            ] {
                let key = settings.key(incidentId: report.incident.id, openedAt: report.incident.openedAt, name: name)
                let info = try #require(try s3.headObject(bucket: scenario.bucket, key: key), "\(key) missing")
                #expect(info.contentType == type)
                #expect(info.serverSideEncryption == "AES256")
                #expect(info.metadata["incident-id"] == report.incident.id)
                etags[name] = info.etag
            }
            let jsonKey = settings.key(
                incidentId: report.incident.id, openedAt: report.incident.openedAt, name: "report.json")
            let stored = try s3.getObject(bucket: scenario.bucket, key: jsonKey).body
            try validateAgainstSchema(stored)
            let decoded = try Report.decoder.decode(Report.self, from: Data(stored))
            #expect(decoded.findings.first?.category == .badDeployment)
            #expect(decoded.links.report == result.reportURL)

            var messages = try notifications(context, scenario)
            #expect(messages.count == 1)
            let subject = messages.first?["Subject"] as? String ?? ""
            #expect(subject.hasPrefix("[ALARM] prodapp-alb-5xx: ") && subject.count < 100)
            #expect((messages.first?["Message"] as? String)?.contains(result.reportURL ?? "-") == true)
            let attributes = messages.first?["MessageAttributes"] as? [String: [String: String]] ?? [:]
            #expect(attributes["severity"]?["Value"] == decoded.severity.rawValue)
            #expect(attributes["category"]?["Value"] == "bad_deployment")
            #expect(attributes["cluster"]?["Value"] == scenario.cluster)

            // A second delivery of the same incident with no memory of the first (another instance,
            // a lost state directory): every object is refused by If-None-Match, nothing is
            // overwritten, and no second notification goes out.
            var again = report
            again.generatedAt = Date().addingTimeInterval(60)
            again.summary = "a different rendering"
            let otherState = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: otherState) }
            let second = try deliverer(context, scenario, state: otherState).deliver(again)
            #expect(Set(second.alreadyPresent) == Set(ReportOutbox.files))
            #expect(second.notification == .deliveredElsewhere)
            for (name, etag) in etags {
                let key = settings.key(incidentId: report.incident.id, openedAt: report.incident.openedAt, name: name)
                #expect(try s3.headObject(bucket: scenario.bucket, key: key)?.etag == etag, "\(name) was overwritten")
            }
            #expect(try s3.getObject(bucket: scenario.bucket, key: jsonKey).body == stored)
            messages = try notifications(context, scenario)
            #expect(messages.isEmpty)
        }
    }

    @Test("a crash between S3 and SNS resumes to exactly one notification; a crash during Publish sends none again")
    func crashResume() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("oom")
            let context = try world.context()
            let report = try investigate(world, scenario, context: context)
            let state = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            #expect(throws: Simulated.self) {
                try deliverer(context, scenario, state: state) { step in
                    if step == .s3Written { throw Simulated() }
                }
                .deliver(report)
            }
            #expect(try notifications(context, scenario).isEmpty)
            let outbox = ReportOutbox(stateDirectory: state)
            #expect(outbox.unfinished() == [report.incident.id])
            // The restarted process: a new deliverer over the same state directory.
            let resumed = try deliverer(context, scenario, state: state)
                .resume(report.incident.id, openedAt: report.incident.openedAt)
            #expect(resumed.alreadyPresent.isEmpty, "our own objects count as ours")
            #expect(resumed.notification == .published)
            #expect(try notifications(context, scenario).count == 1)
            #expect(outbox.unfinished().isEmpty)
            // Resuming a completed delivery again publishes nothing.
            _ = try deliverer(context, scenario, state: state).resume(
                report.incident.id, openedAt: report.incident.openedAt)
            #expect(try notifications(context, scenario).isEmpty)

            // A crash after "attempting" was recorded but before SNS answered: at most once.
            var progress = try #require(try outbox.progress(report.incident.id))
            progress.notification = .attempting
            progress.completedAt = nil
            try outbox.save(progress)
            let uncertain = try deliverer(context, scenario, state: state).resume(
                report.incident.id, openedAt: report.incident.openedAt)
            #expect(uncertain.notification == .unknown)
            #expect(try notifications(context, scenario).isEmpty)
        }
    }

    @Test("chatbot format on the wire: the custom-notification JSON arrives intact")
    func chatbotOnTheWire() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("unhealthy-targets")
            let context = try world.context()
            let report = try investigate(world, scenario, context: context)
            let state = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            _ = try deliverer(context, scenario, state: state, format: .chatbot).deliver(report)
            let messages = try notifications(context, scenario)
            #expect(messages.count == 1)
            let body = try #require(messages.first?["Message"] as? String)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(object["version"] as? String == "1.0" && object["source"] as? String == "custom")
            let content = try #require(object["content"] as? [String: Any])
            #expect(content["textType"] as? String == "client-markdown")
            #expect((content["description"] as? String)?.contains("|Full report>") == true)
            #expect(!(content["nextSteps"] as? [String] ?? []).isEmpty)
        }
    }

    @Test("a huge evidence set still gives a subject under 100 characters and a body far under 256 KB on the wire")
    func hugeEvidence() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("crash-loop")
            let context = try world.context()
            let report = try investigate(world, scenario, context: context) { evidence in
                let template = evidence.ecs.stoppedTasks.first
                evidence.ecs.stoppedTasks += (0..<5000).map { index in
                    var task =
                        template
                        ?? StoppedTask(
                            arn: "", service: nil, taskDefinition: nil, stopCode: nil, stoppedReason: nil,
                            stoppedAt: nil,
                            containers: [])
                    task.arn = "arn:aws:ecs:us-east-1:123456789012:task/c/\(index)"
                    task.stoppedReason = String(repeating: "Essential container in task exited ", count: 50)
                    return task
                }
                for index in evidence.logs.indices {
                    evidence.logs[index].patterns += (0..<2000).map { n in
                        LogPattern(
                            id: "x\(n)", template: "panic: worker \(n) " + String(repeating: "<*> ", count: 200),
                            count: 10_000 + n, firstSeen: nil, lastSeen: nil, level: .error,
                            example: String(repeating: "stack frame ", count: 400))
                    }
                }
            }
            let state = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            _ = try deliverer(context, scenario, state: state).deliver(report)
            let messages = try notifications(context, scenario)
            #expect(messages.count == 1)
            let subject = messages.first?["Subject"] as? String ?? ""
            let body = messages.first?["Message"] as? String ?? ""
            #expect(!subject.isEmpty && subject.count < 100)
            #expect(body.utf8.count <= IncidentNotification.maxMessageBytes, "\(body.utf8.count) bytes")
            #expect(body.contains("Top findings:"))
        }
    }

    @Test("the presigned link verifies with botocore for the same credentials and time")
    func presignedLink() throws {
        try LocalAWSWorld.with { world in
            struct Fixed: WallClock { let date: Date; func now() -> Date { date } }
            let when = Date(timeIntervalSince1970: 1_764_065_040)
            let context = try AWSContext.resolve(
                settings: AWSSettings(region: "eu-west-1", endpointURL: world.description.moto, allowHTTP: true),
                environment: [
                    "AWS_ACCESS_KEY_ID": world.description.key_id, "AWS_SECRET_ACCESS_KEY": world.description.secret,
                    "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
                ],
                clock: Fixed(date: when))
            let s3 = S3Client(client: try context.client(for: .s3))
            let key = "incidents/2025/11/25/0123456789abcdef0123/report.html"
            let ours = try s3.presignedGetURL(bucket: "prodapp-incident-reports", key: key, expires: 86_400)
            let outcome = try Subprocess.python(
                """
                import sys, datetime
                from unittest import mock
                import boto3
                from botocore.config import Config
                endpoint, key_id, secret, key, epoch = sys.argv[1:6]
                fixed = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).replace(tzinfo=None)
                client = boto3.client("s3", region_name="eu-west-1", endpoint_url=endpoint,
                    aws_access_key_id=key_id, aws_secret_access_key=secret,
                    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
                with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
                    print(client.generate_presigned_url("get_object",
                        Params={"Bucket": "prodapp-incident-reports", "Key": key}, ExpiresIn=86400))
                """,
                [
                    world.description.moto, world.description.key_id, world.description.secret, key,
                    String(Int(when.timeIntervalSince1970)),
                ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let theirs = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let a = try #require(URLComponents(string: ours))
            let b = try #require(URLComponents(string: theirs))
            #expect(a.percentEncodedPath == b.percentEncodedPath)
            let query = { (c: URLComponents) in
                Dictionary(uniqueKeysWithValues: (c.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            }
            #expect(query(a) == query(b))
            #expect(query(a)["X-Amz-Signature"]?.count == 64)
            #expect(query(a)["X-Amz-Expires"] == "86400")
        }
    }
}

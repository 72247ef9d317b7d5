import AWSCore
import AWSServices
import Foundation
import Testing
import Triage

/// `triaged run` as systemd runs it, against the local AWS world.
@Suite("triaged run against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct DaemonTests {
    struct Setup {
        let world: LocalAWSWorld
        let scenario: LocalAWSWorld.Scenario
        let directory: URL
        let config: URL
        let notify: NotifyListener

        var state: URL { directory.appendingPathComponent("state") }

        var environment: [String: String] {
            [
                "AWS_ACCESS_KEY_ID": world.description.key_id, "AWS_SECRET_ACCESS_KEY": world.description.secret,
                "AWS_EC2_METADATA_DISABLED": "true", "HOME": directory.path, "NOTIFY_SOCKET": notify.path,
                "WATCHDOG_USEC": "1000000",
            ]
        }

        func writeConfig(
            poll: String = "3s", bedrock: Bool = false, timeout: String = "30s", drain: String = "30s",
            logLevel: String = "info"
        ) throws {
            let text = """
                aws:
                  region: us-east-1
                  endpoint_url: \(world.description.moto)
                  endpoints:
                    bedrock-runtime: \(world.description.bedrock)
                  allow_http: true
                intake:
                  alarms:
                    names: [\(scenario.alarm)]
                  poll_interval: \(poll)
                  queue_url: \(scenario.intake_queue)
                collect:
                  ecs:
                    cluster: \(scenario.cluster)
                analysis:
                  bedrock:
                    enabled: \(bedrock)
                    model_id: amazon.nova-lite-v1:0
                    timeout: \(timeout)
                report:
                  s3:
                    bucket: \(scenario.bucket)
                  sns:
                    topic_arn: \(scenario.findings_topic)
                state:
                  dir: \(state.path)
                workers: 2
                drain_timeout: \(drain)
                log:
                  level: \(logLevel)

                """
            try text.write(to: config, atomically: true, encoding: .utf8)
        }

        func start() throws -> DaemonProcess {
            try DaemonProcess(config: config, environment: environment)
        }

        func messages(_ queue: String, wait: Int = 1) throws -> [SQSMessage] {
            let sqs = SQSClient(client: try world.context().client(for: .sqs))
            var all: [SQSMessage] = []
            while true {
                let batch = try sqs.receiveMessages(queueURL: queue, maxMessages: 10, waitSeconds: wait)
                if batch.isEmpty { return all }
                all += batch
            }
        }

        func bedrock(_ command: [String: Any]) throws {
            _ = try CurlTransport().send(
                HTTPRequest(
                    method: "POST", url: world.description.bedrock + "/_control",
                    body: Array(try JSONSerialization.data(withJSONObject: command))))
        }
    }

    func withSetup(_ scenarioName: String = "bad-deployment", _ body: (Setup) throws -> Void) throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario(scenarioName)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let notify = try NotifyListener()
            defer { notify.close() }
            try body(
                Setup(
                    world: world, scenario: scenario, directory: directory,
                    config: directory.appendingPathComponent("config.yaml"), notify: notify))
        }
    }

    @Test(
        "READY after the first poll, WATCHDOG and STATUS; an alarm becomes one report and one notification; SIGTERM sends STOPPING and exits 0"
    )
    func lifecycle() throws {
        try withSetup { setup in
            // Debug: every AWS call is a log line, so the test can see the poller's DescribeAlarms.
            try setup.writeConfig(logLevel: "debug")
            let daemon = try setup.start()
            #expect(setup.notify.wait(for: "READY=1", timeout: 15), "\(daemon.log)")
            #expect(setup.notify.wait(for: "WATCHDOG=1", timeout: 5))
            #expect(setup.notify.messages.contains { $0.contains("STATUS=incidents: ") })
            try setup.world.fireAlarm(setup.scenario.alarm)
            #expect(daemon.waitForLog("report delivered", timeout: 60), "\(daemon.log.suffix(3000))")
            // The poller sees the same transition later: still one incident, one report. Two polls
            // answered after the delivery (every 3 s), so the first one's alarms have been handled
            // by the time the queue is read.
            func polls() -> Int {
                daemon.events.filter {
                    $0["msg"] as? String == "aws call succeeded" && $0["aws.operation"] as? String == "DescribeAlarms"
                }.count
            }
            let pollsAtDelivery = polls()
            #expect(
                waitUntil(timeout: 20) { polls() >= pollsAtDelivery + 2 },
                "no two DescribeAlarms polls after the delivery: \(daemon.log.suffix(2000))")
            let findings = try setup.messages(setup.scenario.findings_queue)
            #expect(findings.count == 1)
            #expect(try setup.messages(setup.scenario.intake_queue).isEmpty, "the intake message was not deleted")
            daemon.send(SIGTERM)
            // The exit waits for an SQS long poll in progress (up to 20 s).
            #expect(daemon.waitForExit(timeout: 30) == 0)
            #expect(setup.notify.wait(for: "STOPPING=1", timeout: 1))
            let events = daemon.events
            #expect(events.filter { $0["msg"] as? String == "incident opened" }.count == 1)
            // Structured lines: ts, level, msg and dotted keys; never a secret from the telemetry.
            let delivered = try #require(events.first { $0["msg"] as? String == "report delivered" })
            #expect(delivered["ts"] is String && delivered["level"] as? String == "info")
            #expect(delivered["incident.id"] is String)
            #expect(events.contains { $0["aws.operation"] != nil || $0["alarm.name"] != nil })
            for secret in [
                "Sup3rS3cretPw", "AKIAZ3XAMPLEKEY12345", "ops.lead@example.com", setup.world.description.secret,
            ] {
                #expect(!daemon.log.contains(secret), "\(secret) in the logs")
            }
            // Metrics as Embedded Metric Format lines.
            #expect(daemon.log.contains(#""Name":"IncidentsDelivered""#))
            #expect(daemon.log.contains(#""Namespace":"triaged""#))
        }
    }

    @Test(
        "the alarm back to OK after delivery: one RESOLVED follow-up (status resolved) and the report resolved in S3; a kill -9 and restart sends nothing again"
    )
    func resolution() throws {
        try withSetup { setup in
            try setup.writeConfig(poll: "0s")
            var daemon = try setup.start()
            #expect(setup.notify.wait(for: "READY=1", timeout: 15), "\(daemon.log)")
            try setup.world.fireAlarm(setup.scenario.alarm)
            #expect(daemon.waitForLog("report delivered", timeout: 60), "\(daemon.log.suffix(3000))")
            // CloudWatch's OK notification goes the same way as the ALARM one (alarm topic → queue).
            var parameters = QueryParameters()
            parameters.add("AlarmName", setup.scenario.alarm)
            parameters.add("StateValue", "OK")
            parameters.add("StateReason", "Threshold no longer crossed")
            _ = try setup.world.context().client(for: .cloudWatch).query("SetAlarmState", parameters)
            #expect(daemon.waitForLog("resolution delivered", timeout: 60), "\(daemon.log.suffix(3000))")
            let findings = try setup.messages(setup.scenario.findings_queue)
            let envelopes = try findings.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])
            }
            #expect(envelopes.count == 2)
            let status = envelopes.map {
                (($0["MessageAttributes"] as? [String: [String: String]])?["status"])?["Value"] ?? "-"
            }
            #expect(Set(status) == ["open", "resolved"])
            let resolved = envelopes.first { ($0["Subject"] as? String)?.hasPrefix("[RESOLVED] ") == true }
            #expect(resolved != nil, "\(envelopes.map { $0["Subject"] ?? "-" })")
            #expect(
                (resolved?["Message"] as? String)?.contains(
                    "Runbook: https://wiki.example.com/runbooks/prodapp-alb-5xx") == true)
            #expect(try setup.messages(setup.scenario.intake_queue).isEmpty, "the OK message was not deleted")
            let delivered = try #require(daemon.events.first { $0["msg"] as? String == "resolution delivered" })
            let id = try #require(delivered["incident.id"] as? String)
            let s3 = S3Client(client: try setup.world.context().client(for: .s3))
            let json = try #require(
                try ListedReport.find(s3: s3, bucket: setup.scenario.bucket, incidentId: id))
            #expect(json.resolution != nil && json.links.runbook == "https://wiki.example.com/runbooks/prodapp-alb-5xx")

            daemon.stop()
            daemon = try setup.start()
            #expect(setup.notify.wait(for: "READY=1", timeout: 15), "\(daemon.log)")
            #expect(daemon.waitForLog("triaged ready", timeout: 15))
            daemon.send(SIGTERM)
            // The drain waits for the SQS long poll in progress (up to 20 s).
            #expect(daemon.waitForExit(timeout: 40) == 0)
            #expect(!daemon.events.contains { $0["msg"] as? String == "resolution prepared" })
            #expect(try setup.messages(setup.scenario.findings_queue).isEmpty)
        }
    }

    @Test(
        "SIGTERM with an incident in flight exits 0 within the drain deadline; the incident is released and a restart delivers it once"
    )
    func drainReleases() throws {
        try withSetup("oom") { setup in
            // The model stalls far beyond the drain deadline, so the incident cannot finish in time.
            try setup.writeConfig(poll: "0s", bedrock: true, timeout: "40s", drain: "2s")
            try setup.bedrock(["mode": "stall", "count": 100, "stall_seconds": 30])
            let daemon = try setup.start()
            #expect(setup.notify.wait(for: "READY=1", timeout: 30), "\(daemon.log)")
            try setup.world.fireAlarm(setup.scenario.alarm)
            #expect(daemon.waitForLog("evidence collected", timeout: 60), "\(daemon.log.suffix(3000))")
            // The model call is in progress (the stand-in has it and stalls).
            #expect(
                try waitUntil(timeout: 30) {
                    try setup.world.bedrockRequests().contains { $0["method"] as? String == "POST" }
                },
                "no model call: \(daemon.log.suffix(3000))")
            let signalled = Date()
            daemon.send(SIGTERM)
            // The drain deadline is 2 s: the incident is released then, not when the model answers
            // (30 s); the margin is for the 100 ms log polling and a loaded machine.
            #expect(daemon.waitForLog("incident released unfinished", timeout: 10), "\(daemon.log.suffix(3000))")
            let released = Date().timeIntervalSince(signalled)
            #expect(released >= 1.9 && released < 4, "released \(released) s after SIGTERM, drain deadline 2 s")
            // The exit may still wait for an SQS long poll in progress (up to 20 s).
            let status = daemon.waitForExit(timeout: 30)
            #expect(status == 0, "\(daemon.log.suffix(1500))")
            let saved = try String(contentsOf: setup.state.appendingPathComponent("incidents.json"), encoding: .utf8)
            #expect(saved.contains(#""phase":"open""#))

            // Restarted with a healthy model: the incident is resumed and delivered exactly once.
            try setup.bedrock(["mode": "normal"])
            // Debug: the AWS calls are logged, so the test can wait for the intake message's deletion.
            try setup.writeConfig(poll: "0s", bedrock: true, timeout: "40s", drain: "2s", logLevel: "debug")
            let again = try setup.start()
            #expect(again.waitForLog("report delivered", timeout: 90), "\(again.log.suffix(3000))")
            // The incident's EMF line: prompt-cache and attempt metrics, and the model that answered.
            let emf = again.log.split(separator: "\n").first { $0.contains(#""ModelAttempts""#) }
            #expect(emf?.contains(#""ModelCacheReadTokens""#) == true, "\(again.log.suffix(3000))")
            #expect(emf?.contains(#""ModelCacheWriteTokens""#) == true)
            #expect(emf?.contains(#""model.id":"amazon.nova-lite-v1:0""#) == true, "\(emf ?? "")")
            // The delivered incident's intake message is deleted before the daemon is stopped.
            #expect(
                waitUntil(timeout: 10) {
                    again.events.contains {
                        $0["msg"] as? String == "aws call succeeded"
                            && $0["aws.operation"] as? String == "DeleteMessage"
                    }
                }, "the intake message was not deleted: \(again.log.suffix(2000))")
            again.send(SIGTERM)
            #expect(again.waitForExit(timeout: 30) == 0)
            #expect(try setup.messages(setup.scenario.findings_queue).count == 1)
            #expect(try setup.messages(setup.scenario.intake_queue).isEmpty)
        }
    }

    @Test("a SIGHUP sent while the daemon starts up is neither fatal nor lost: one reload, after start-up, then READY")
    func earlyReload() throws {
        try withSetup("healthy") { setup in
            try setup.writeConfig()
            let daemon = try setup.start()
            // The moment `triaged run` has taken SIGHUP over, before it has loaded its configuration
            // or built its clients; checked every millisecond, as the window is short.
            let deadline = Date().addingTimeInterval(10)
            while !daemon.handles(SIGHUP) && daemon.process.isRunning && Date() < deadline { usleep(1000) }
            #expect(daemon.handles(SIGHUP), "\(daemon.log)")
            daemon.send(SIGHUP)
            #expect(setup.notify.wait(for: "READY=1", timeout: 15), "\(daemon.log)")
            #expect(daemon.waitForLog("configuration reloaded", timeout: 10), "\(daemon.log.suffix(2000))")
            #expect(daemon.process.isRunning)
            let messages = daemon.events.compactMap { $0["msg"] as? String }
            let starting = try #require(messages.firstIndex(of: "triaged starting"))
            let reloaded = try #require(messages.firstIndex(of: "configuration reloaded"))
            #expect(starting < reloaded, "\(messages)")
            #expect(messages.filter { $0 == "configuration reloaded" }.count == 1)
            daemon.send(SIGTERM)
            #expect(daemon.waitForExit(timeout: 30) == 0)
        }
    }

    @Test("SIGHUP with a broken file keeps the running configuration; a good file is taken")
    func reload() throws {
        try withSetup("healthy") { setup in
            // Debug: every AWS call is a log line, so the test can see the poller's DescribeAlarms.
            try setup.writeConfig(logLevel: "debug")
            let daemon = try setup.start()
            #expect(setup.notify.wait(for: "READY=1", timeout: 15), "\(daemon.log)")
            try "intake:\n  poll_interval: soon\n".write(to: setup.config, atomically: true, encoding: .utf8)
            daemon.send(SIGHUP)
            #expect(daemon.waitForLog("configuration reload rejected; the running configuration stays", timeout: 10))
            #expect(daemon.log.contains("config.yaml:2: intake.poll_interval"))
            #expect(daemon.process.isRunning)
            #expect(setup.notify.wait(for: "RELOADING=1", timeout: 1))
            try setup.writeConfig(poll: "5s")
            daemon.send(SIGHUP)
            #expect(daemon.waitForLog("configuration reloaded", timeout: 10), "\(daemon.log.suffix(2000))")
            daemon.send(SIGTERM)
            #expect(daemon.waitForExit(timeout: 30) == 0)
        }
    }
}

@Suite("triaged run refuses a bad configuration", .enabled(if: TriagedBinary.url != nil))
struct DaemonConfigurationTests {
    @Test("a malformed configuration exits 2 naming the file, line and key; nothing to watch exits 2 too")
    func malformed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml")
        try "aws:\n  region: us-east-1\nintake:\n  poll_interval: 5 minutes\n".write(
            to: config, atomically: true, encoding: .utf8)
        let bad = try TriagedBinary.run(["run", "--config", config.path], environment: [:])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("config.yaml:4: intake.poll_interval"), "\(bad.stderr)")
        try "aws:\n  region: us-east-1\nreport:\n  local_dir: /tmp\n".write(
            to: config, atomically: true, encoding: .utf8)
        let idle = try TriagedBinary.run(["run", "--config", config.path], environment: [:])
        #expect(idle.status == 2)
        #expect(idle.stderr.contains("nothing to watch"), "\(idle.stderr)")
    }
}

/// A delivered report.json found by its incident id (the key is dated by the incident's opening).
enum ListedReport {
    static func find(s3: S3Client, bucket: String, incidentId: String) throws -> Report? {
        var settings = DeliverySettings()
        settings.prefix = "incidents/"
        for days in -1...1 {
            let key = settings.key(
                incidentId: incidentId, openedAt: Date().addingTimeInterval(Double(days) * 86_400), name: "report.json")
            if let (body, _) = try s3.getObjectIfPresent(bucket: bucket, key: key) {
                return try Report.decoder.decode(Report.self, from: Data(body))
            }
        }
        return nil
    }
}

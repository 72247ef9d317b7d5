import AWSCore
import AWSServices
import Foundation
import Logging
import Testing

@testable import Triage

/// The incident after the first report, on the emulator: the resolution follow-up through the
/// outbox, the S3-guarded rewrite, runbook links, and the history shared by two instances.
@Suite("resolution, runbooks and history", .enabled(if: IntegrationEnvironment.ready))
struct ResolutionTests {
    let delivery = DeliveryTests()

    /// The OK transition of the incident's opening alarm, `after` seconds after it opened.
    func okEvent(_ report: Report, after seconds: TimeInterval) throws -> AlarmEvent {
        let alarm = try #require(report.openingAlarm)
        return AlarmEvent(
            alarmName: alarm.name, alarmArn: alarm.arn, state: .ok, previousState: .alarm,
            stateChangeTime: report.incident.openedAt.addingTimeInterval(seconds),
            reason: "Threshold no longer crossed",
            region: report.incident.region, accountId: report.incident.accountId, metric: nil, alarmRule: nil,
            triggeringChildren: [], source: .snsNotification, messageId: nil)
    }

    /// The tracker a delivered report came from, with the incident marked delivered.
    func tracker(for report: Report) throws -> IncidentTracker {
        var tracker = IncidentTracker(correlationWindow: 300)
        let alarm = try #require(report.openingAlarm)
        let opening = AlarmEvent(
            alarmName: alarm.name, alarmArn: alarm.arn, state: .alarm, previousState: .ok,
            stateChangeTime: report.incident.openedAt, reason: alarm.reason, region: report.incident.region,
            accountId: report.incident.accountId, metric: nil, alarmRule: nil, triggeringChildren: [],
            source: .snsNotification, messageId: nil)
        guard case .open(let incident) = tracker.observe(opening, now: Date()) else {
            throw LocalAWSWorld.WorldError(message: "no incident")
        }
        #expect(incident.id == report.incident.id)
        tracker.markDelivered(incident.id, now: Date())
        return tracker
    }

    func key(_ report: Report, _ name: String) -> String {
        var settings = DeliverySettings()
        settings.prefix = "incidents/"
        return settings.key(incidentId: report.incident.id, openedAt: report.incident.openedAt, name: name)
    }

    func attributes(_ message: [String: Any]) -> [String: String] {
        (message["MessageAttributes"] as? [String: [String: String]] ?? [:]).compactMapValues { $0["Value"] }
    }

    /// One scenario's incident, delivered once through a fresh outbox.
    struct Delivered {
        let delivery: DeliveryTests
        let scenario: LocalAWSWorld.Scenario
        let context: AWSContext
        let report: Report
        let state: URL
        let first: DeliveryResult
        let format: IncidentNotification.Format

        /// Resolves it `after` seconds after it opened, through a new deliverer over the same outbox
        /// (a restarted process as far as the outbox goes).
        func resolve(
            after seconds: TimeInterval, afterStep: @escaping @Sendable (DeliveryStep) throws -> Void = { _ in }
        ) throws -> ResolutionResult {
            try delivery.deliverer(context, scenario, state: state, format: format, afterStep: afterStep).resolve(
                report.incident.id, openedAt: report.incident.openedAt,
                resolvedAt: report.incident.openedAt.addingTimeInterval(seconds))
        }

        func notifications() throws -> [[String: Any]] { try delivery.notifications(context, scenario) }
    }

    func withDelivered(
        _ name: String, format: IncidentNotification.Format = .text, _ body: (Delivered) throws -> Void
    ) throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario(name)
            let context = try world.context()
            let report = try delivery.investigate(world, scenario, context: context)
            let state = delivery.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            let first = try delivery.deliverer(context, scenario, state: state, format: format).deliver(report)
            try body(
                Delivered(
                    delivery: delivery, scenario: scenario, context: context, report: report, state: state,
                    first: first, format: format))
        }
    }

    @Test(
        "every alarm back to OK: report.json gets its resolution, md/html are rendered again at the same keys, one RESOLVED follow-up; a duplicate OK sends nothing"
    )
    func oneFollowUp() throws {
        try withDelivered("bad-deployment") { delivered in
            let (scenario, context, report, state, first) = (
                delivered.scenario, delivered.context, delivered.report, delivered.state, delivered.first
            )
            var messages = try delivery.notifications(context, scenario)
            #expect(messages.count == 1)
            #expect(attributes(messages[0])["status"] == "open")
            let s3 = S3Client(client: try context.client(for: .s3))
            let opened = try s3.getObject(bucket: scenario.bucket, key: key(report, "report.json")).body
            let openJSON = try #require(try JSONSerialization.jsonObject(with: Data(opened)) as? [String: Any])
            #expect(openJSON["resolution"] is NSNull, "resolution is null until resolved")

            var tracker = try tracker(for: report)
            let ok = try okEvent(report, after: 754)
            #expect(tracker.observe(ok, now: Date()) == .resolved(incidentId: report.incident.id))
            let resolvedAt = try #require(tracker.incidents[report.incident.id]?.resolvedAt)
            let result = try delivery.deliverer(context, scenario, state: state).resolve(
                report.incident.id, openedAt: report.incident.openedAt, resolvedAt: resolvedAt)
            #expect(result.notification == .published)
            #expect(Set(result.rewritten) == Set(ReportOutbox.files) && result.refused.isEmpty)

            messages = try delivery.notifications(context, scenario)
            #expect(messages.count == 1)
            let subject = messages.first?["Subject"] as? String ?? ""
            #expect(subject.hasPrefix("[RESOLVED] prodapp-alb-5xx after 12 min: ") && subject.count < 100, "\(subject)")
            #expect(attributes(messages[0])["status"] == "resolved")
            let body = messages.first?["Message"] as? String ?? ""
            #expect(body.contains("RESOLVED: every alarm back to OK at "), "\(body)")
            #expect(body.contains("after 12 min"))
            #expect(body.contains("Report: \(first.reportURL ?? "-")"))

            let stored = try s3.getObject(bucket: scenario.bucket, key: key(report, "report.json")).body
            try delivery.validateAgainstSchema(stored)
            let decoded = try Report.decoder.decode(Report.self, from: Data(stored))
            #expect(decoded.resolution?.resolvedAt == resolvedAt)
            #expect(decoded.resolution?.durationSeconds == 754)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(stored)) as? [String: Any])
            let resolution = try #require(json["resolution"] as? [String: Any])
            #expect(resolution["duration_seconds"] as? Double == 754)
            #expect((resolution["resolved_at"] as? String).flatMap(AWSTimestamp.parse) == resolvedAt)
            let markdown = String(
                decoding: try s3.getObject(bucket: scenario.bucket, key: key(report, "report.md")).body, as: UTF8.self)
            #expect(markdown.contains("**Resolved** \(ReportText.clock(resolvedAt)) after 12 min"))
            let html = String(
                decoding: try s3.getObject(bucket: scenario.bucket, key: key(report, "report.html")).body,
                as: UTF8.self)
            #expect(html.contains("<b>Resolved</b> \(ReportText.clock(resolvedAt)) after 12 min"))

            // The same OK again (redelivery, the other path): the tracker has it already, and the
            // outbox would not send a second follow-up even if asked.
            #expect(tracker.observe(ok, now: Date()) != .resolved(incidentId: report.incident.id))
            let again = try delivery.deliverer(context, scenario, state: state).resolve(
                report.incident.id, openedAt: report.incident.openedAt, resolvedAt: resolvedAt)
            #expect(again.notification == .published)
            #expect(try delivery.notifications(context, scenario).isEmpty)
        }
    }

    @Test("without a queue the poller sees the alarm back in OK: resolved once, later polls are not news")
    func pollerSeesOK() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("healthy")
            let context = try world.context()
            let directory = delivery.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let intake = try Intake(
                store: IncidentStore(directory: directory), correlationWindow: 300, claims: LocalClaims(),
                clock: SystemWallClock(), logger: Logger(label: "t"))
            let cloudWatch = CloudWatchClient(client: try context.client(for: .cloudWatch))
            let poller = AlarmPoller(
                cloudWatch: cloudWatch, names: [scenario.alarm], prefixes: [], maxAge: 86_400,
                logger: Logger(label: "t"))
            // Never fired: an alarm in OK opens and resolves nothing.
            for event in try poller.poll(now: Date()) {
                guard case .done(.ignored) = try intake.record(event) else {
                    Issue.record("an OK alarm with no incident must be ignored")
                    return
                }
            }
            try world.fireAlarm(scenario.alarm)
            var opened: String?
            for event in try poller.poll(now: Date()) {
                if case .investigate(let incident) = try intake.record(event) { opened = incident.id }
            }
            let id = try #require(opened)
            #expect(try intake.begin(id))
            try intake.finish(id)
            var parameters = QueryParameters()
            parameters.add("AlarmName", scenario.alarm)
            parameters.add("StateValue", "OK")
            parameters.add("StateReason", "Threshold no longer crossed")
            _ = try context.client(for: .cloudWatch).query("SetAlarmState", parameters)
            let decisions = try (0..<3).flatMap { _ in try poller.poll(now: Date()).map { try intake.record($0) } }
            #expect(decisions.first == .done(.resolved(incidentId: id)))
            #expect(decisions.dropFirst().allSatisfy { if case .done(.ignored) = $0 { true } else { false } })
            #expect(intake.resolvedDelivered.map(\.id) == [id])
        }
    }

    @Test("a crash between the S3 rewrite and SNS resumes to exactly one follow-up")
    func crashBetweenS3AndSNS() throws {
        try withDelivered("oom") { delivered in
            let report = delivered.report
            #expect(try delivered.notifications().count == 1)
            #expect(throws: DeliveryTests.Simulated.self) {
                try delivered.resolve(after: 300) { step in
                    if step == .resolutionS3Written { throw DeliveryTests.Simulated() }
                }
            }
            #expect(try delivered.notifications().isEmpty)
            let outbox = ReportOutbox(stateDirectory: delivered.state)
            #expect(outbox.unfinishedResolutions() == [report.incident.id])
            // The restarted process over the same state directory.
            let resumed = try delivered.resolve(after: 300)
            #expect(resumed.notification == .published)
            #expect(resumed.refused.isEmpty, "our own rewritten objects count as ours")
            let messages = try delivered.notifications()
            #expect(messages.count == 1)
            #expect((messages.first?["Subject"] as? String)?.hasPrefix("[RESOLVED] ") == true)
            #expect(outbox.unfinishedResolutions().isEmpty)

            // A crash during the follow-up's Publish: at most once, not sent again.
            var progress = try #require(try outbox.progress(report.incident.id))
            progress.resolution?.notification = .attempting
            progress.resolution?.completedAt = nil
            try outbox.save(progress)
            let uncertain = try delivered.resolve(after: 300)
            #expect(uncertain.notification == .unknown)
            #expect(try delivered.notifications().isEmpty)
        }
    }

    @Test("an OK before the first report is delivered: the report goes out resolved, with one notification")
    func okBeforeDelivery() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("crash-loop")
            let context = try world.context()
            var (event, evidence, _) = try world.collectEvidence(for: scenario, context: context)
            event.stateChangeTime = Date().addingTimeInterval(-900)
            var tracker = IncidentTracker(correlationWindow: 300)
            guard case .open(let opened) = tracker.observe(event, now: Date()) else {
                Issue.record("no incident")
                return
            }
            var ok = event
            ok.state = .ok
            ok.stateChangeTime = event.stateChangeTime.addingTimeInterval(125)
            #expect(tracker.observe(ok, now: Date()) == .resolved(incidentId: opened.id))
            let incident = try #require(tracker.incidents[opened.id])
            let report = ReportBuilder().build(
                incident: incident, alarm: event, evidence: evidence, findings: FindingsEngine.findings(evidence),
                analysis: .rulesOnly("off", modelId: nil), now: Date())
            #expect(report.resolution?.durationSeconds == 125)
            let state = delivery.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: state) }
            _ = try delivery.deliverer(context, scenario, state: state).deliver(report)
            let follow = try delivery.deliverer(context, scenario, state: state).resolve(
                report.incident.id, openedAt: report.incident.openedAt, resolvedAt: ok.stateChangeTime)
            #expect(follow.notification == .skipped)
            let messages = try delivery.notifications(context, scenario)
            #expect(messages.count == 1)
            #expect(
                (messages.first?["Subject"] as? String)?.hasPrefix("[RESOLVED] prodapp-alb-5xx after 2 min") == true)
            #expect(attributes(messages[0])["status"] == "resolved")
            let s3 = S3Client(client: try context.client(for: .s3))
            let stored = try s3.getObject(bucket: scenario.bucket, key: key(report, "report.json")).body
            try delivery.validateAgainstSchema(stored)
            #expect(try Report.decoder.decode(Report.self, from: Data(stored)).resolution?.durationSeconds == 125)
        }
    }

    @Test("chatbot: the follow-up is in the first notification's thread")
    func chatThread() throws {
        try withDelivered("unhealthy-targets", format: .chatbot) { delivered in
            let report = delivered.report
            _ = try delivered.resolve(after: 3900)
            let messages = try delivered.notifications()
            #expect(messages.count == 2)
            let objects = try messages.map { message -> [String: Any] in
                let body = try #require(message["Message"] as? String)
                return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            }
            let metadata = objects.map { $0["metadata"] as? [String: Any] ?? [:] }
            let threads = metadata.map { $0["threadId"] as? String }
            #expect(threads[0] == "triaged-\(report.incident.id)" && threads[1] == threads[0])
            #expect(Set(metadata.compactMap { $0["eventType"] as? String }) == ["IncidentReport", "IncidentResolved"])
            let titles = objects.compactMap { ($0["content"] as? [String: Any])?["title"] as? String }
            #expect(titles.contains { $0.hasPrefix(":white_check_mark: [RESOLVED] prodapp-alb-5xx") })
            let descriptions = objects.compactMap { ($0["content"] as? [String: Any])?["description"] as? String }
            #expect(descriptions.contains { $0.contains("*RESOLVED* at") && $0.contains("after 1 h 5 min") })
            #expect(Set(messages.map { attributes($0)["status"] ?? "-" }) == ["open", "resolved"])
        }
    }

    @Test("a report object someone else replaced since we wrote it is not overwritten (If-Match, 412); ours are")
    func guardedOverwrite() throws {
        try withDelivered("bad-deployment") { delivered in
            let (scenario, context, report, state) = (
                delivered.scenario, delivered.context, delivered.report, delivered.state
            )
            let s3 = S3Client(client: try context.client(for: .s3))
            // An operator replaces report.md by hand.
            let theirs = Array("# edited by hand\n".utf8)
            try s3.putObject(
                bucket: scenario.bucket, key: key(report, "report.md"), body: theirs, contentType: "text/markdown")
            // The emulator refuses a stale If-Match as S3 does.
            let stale = try #require(
                try ReportOutbox(stateDirectory: state).progress(report.incident.id)?.etags?["report.md"])
            #expect(throws: S3ConditionalWriteError.self) {
                try s3.putObject(
                    bucket: scenario.bucket, key: key(report, "report.md"), body: [1], contentType: "text/plain",
                    ifMatch: stale)
            }
            let result = try delivered.resolve(after: 60)
            #expect(result.refused == ["report.md"])
            #expect(Set(result.rewritten) == ["report.html", "report.json"])
            #expect(try s3.getObject(bucket: scenario.bucket, key: key(report, "report.md")).body == theirs)
            let json = try s3.getObject(bucket: scenario.bucket, key: key(report, "report.json")).body
            #expect(try Report.decoder.decode(Report.self, from: Data(json)).resolution != nil)
            #expect(result.notification == .published)
            #expect(try delivered.notifications().count == 2)
        }
    }

    @Test(
        "runbook links from the alarm's tag (over its description) and from its description; the S3 runbook's steps lead the next steps; shown in Markdown, HTML, SNS text and chat"
    )
    func runbookLinks() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            let context = try world.context()
            let cloudWatch = CloudWatchClient(client: try context.client(for: .cloudWatch))
            let s3 = S3Client(client: try context.client(for: .s3))
            let reader = RunbookReader(
                cloudWatch: cloudWatch, s3: s3, prefix: "s3://\(scenario.bucket)/runbooks/", redactor: Redactor(),
                logger: Logger(label: "t"))
            let alarm = try #require(try cloudWatch.describeAlarms(names: [scenario.alarm]).first)
            let event = try AlarmMessageParser.event(from: alarm)

            // No tag yet: the first https URL of the description, without its full stop.
            #expect(event.description?.contains("https://wiki.example.com/runbooks/prodapp-alb-5xx.") == true)
            var runbook = reader.read(alarm: event)
            #expect(runbook.url == "https://wiki.example.com/runbooks/prodapp-alb-5xx")
            #expect(runbook.gaps.isEmpty && runbook.text == nil)

            // A tag wins over the description.
            var parameters = QueryParameters()
            parameters.add("ResourceARN", alarm.arn)
            parameters.add("Tags.member.1.Key", "team")
            parameters.add("Tags.member.1.Value", "payments")
            parameters.add("Tags.member.2.Key", "runbook_url")
            parameters.add("Tags.member.2.Value", "https://runbooks.example.com/prodapp/5xx")
            _ = try context.client(for: .cloudWatch).query("TagResource", parameters)
            #expect(try cloudWatch.listTagsForResource(arn: alarm.arn)["team"] == "payments")
            try s3.putObject(
                bucket: scenario.bucket, key: "runbooks/\(scenario.alarm).md",
                body: Array(
                    """
                    # prodapp 5XX
                    Check the dashboard first. Use password=hunter22hunter for the break-glass role.
                    1. Roll back the api service if a deployment started in the last hour.
                    2. Page the payments on-call if the database is involved.
                    - Post in #prodapp-incidents.
                    - Never restart the database by hand.
                    """.utf8), contentType: "text/markdown")
            runbook = reader.read(alarm: event)
            #expect(runbook.url == "https://runbooks.example.com/prodapp/5xx")
            #expect(runbook.text?.contains("hunter22hunter") == false, "the runbook is redacted")
            #expect(
                runbook.steps == [
                    "Roll back the api service if a deployment started in the last hour.",
                    "Page the payments on-call if the database is involved.", "Post in #prodapp-incidents.",
                ])

            // The prompt gets the runbook as a fenced data section.
            let (fired, evidence, _) = try world.collectEvidence(for: scenario, context: context)
            let findings = FindingsEngine.findings(evidence)
            let prompt = PromptBuilder(budgetTokens: 12_000).build(
                alarm: event, findings: findings, evidence: evidence,
                context: [("runbook", runbook.text?.split(separator: "\n").map(String.init) ?? [])])
            #expect(prompt.user.contains("<<<\(prompt.delimiter) runbook\n# prodapp 5XX"))
            #expect(!prompt.user.contains("hunter22hunter"))

            var tracker = IncidentTracker(correlationWindow: 300)
            guard case .open(let incident) = tracker.observe(fired, now: Date()) else {
                Issue.record("no incident")
                return
            }
            let report = ReportBuilder().build(
                incident: incident, alarm: fired, evidence: evidence, findings: findings,
                analysis: .rulesOnly("off", modelId: nil), now: Date(), runbook: runbook)
            let link = "https://runbooks.example.com/prodapp/5xx"
            #expect(report.links.runbook == link)
            #expect(
                report.nextSteps.first
                    == "From the runbook: Roll back the api service if a deployment started in the last hour.")
            #expect(MarkdownRenderer.render(report).contains("**Runbook** [\(link)](\(link))"))
            #expect(MarkdownRenderer.render(report).contains("- [Runbook](\(link))"))
            #expect(HTMLRenderer.render(report).contains("<a href=\"\(link)\">"))
            #expect(IncidentNotification(report: report, format: .text).message.contains("Runbook: \(link)"))
            #expect(IncidentNotification(report: report, format: .chatbot).message.contains("<\(link)|Runbook>"))
            try delivery.validateAgainstSchema(try report.json())
        }
    }

    @Test(
        "history across two instances: earlier incidents of the same alarm, category and service, newest first, linked")
    func historyAcrossInstances() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            let context = try world.context()
            let base = try delivery.investigate(world, scenario, context: context)
            func incident(_ id: String, hoursAgo: Double) -> Report {
                var report = base
                report.incident.id = id
                report.incident.openedAt = Date().addingTimeInterval(-hoursAgo * 3600)
                return report
            }
            let stateA = delivery.temporaryDirectory()
            let stateB = delivery.temporaryDirectory()
            defer {
                try? FileManager.default.removeItem(at: stateA)
                try? FileManager.default.removeItem(at: stateB)
            }
            let s3 = S3Client(client: try context.client(for: .s3))
            func stored(_ report: Report) throws -> Report {
                let bytes = try s3.getObject(bucket: scenario.bucket, key: key(report, "report.json")).body
                try delivery.validateAgainstSchema(bytes)
                return try Report.decoder.decode(Report.self, from: Data(bytes))
            }
            // Older than 30 days: not counted.
            let ancient = incident("00000000000000000000", hoursAgo: 31 * 24)
            _ = try delivery.deliverer(context, scenario, state: stateA).deliver(ancient)
            let first = incident("11111111111111111111", hoursAgo: 50)
            _ = try delivery.deliverer(context, scenario, state: stateA).deliver(first)
            let firstStored = try stored(first)
            #expect(firstStored.history?.count30d == 0 && firstStored.history?.previous.isEmpty == true)
            #expect(firstStored.history?.fingerprint == base.fingerprint)

            // Instance B, its own state directory, the same bucket.
            let second = incident("22222222222222222222", hoursAgo: 5)
            _ = try delivery.deliverer(context, scenario, state: stateB).deliver(second)
            let secondStored = try stored(second)
            #expect(secondStored.history?.count30d == 1)
            #expect(secondStored.history?.previous.map(\.incidentId) == [first.incident.id])
            #expect(
                secondStored.history?.previous.first?.reportKey
                    == "s3://\(scenario.bucket)/\(key(first, "report.json"))")
            #expect(secondStored.history?.previous.first?.category == .badDeployment)
            #expect(
                secondStored.summary.contains(
                    "This happened once in 30 days before, last on \(ReportText.clock(first.incident.openedAt))."))

            // Back on instance A: both earlier ones, newest first, linked from Markdown and HTML.
            let third = incident("33333333333333333333", hoursAgo: 1)
            _ = try delivery.deliverer(context, scenario, state: stateA).deliver(third)
            let thirdStored = try stored(third)
            #expect(thirdStored.history?.count30d == 2)
            #expect(thirdStored.history?.previous.map(\.incidentId) == [second.incident.id, first.incident.id])
            #expect(
                thirdStored.summary.contains(
                    "This happened 2 times in 30 days before, last on \(ReportText.clock(second.incident.openedAt))."))
            let markdown = String(
                decoding: try s3.getObject(bucket: scenario.bucket, key: key(third, "report.md")).body, as: UTF8.self)
            #expect(markdown.contains("## Earlier incidents"))
            #expect(
                markdown.contains(
                    "[\(second.incident.id)](https://us-east-1.console.aws.amazon.com/s3/object/\(scenario.bucket)?region=us-east-1&prefix=\(key(second, "report.json")))"
                ))
            let html = String(
                decoding: try s3.getObject(bucket: scenario.bucket, key: key(third, "report.html")).body,
                as: UTF8.self)
            #expect(html.contains("<h2>Earlier incidents</h2>") && html.contains(">\(first.incident.id)</a>"))

            // The model of a fourth incident gets the earlier summaries as a data section.
            let alarm = try #require(base.openingAlarm)
            let investigator = Investigator(
                collector: EvidenceCollector(
                    clients: CollectClients(
                        cloudWatch: CloudWatchClient(client: try context.client(for: .cloudWatch)),
                        elb: ELBv2Client(client: try context.client(for: .elbv2)),
                        ecs: ECSClient(client: try context.client(for: .ecs)),
                        logs: CloudWatchLogsClient(client: try context.client(for: .logs)),
                        xray: XRayClient(client: try context.client(for: .xray))),
                    settings: CollectSettings(), clock: SystemWallClock(), logger: Logger(label: "t")),
                promptBudget: 12_000, analyser: nil, redact: true,
                history: try delivery.deliverer(context, scenario, state: stateB).history, clock: SystemWallClock(),
                logger: Logger(label: "t"))
            let fourth = IncidentTracker.Incident(
                id: "55555555555555555555", openedAt: Date(), alarms: [], correlationKeys: [], phase: .investigating,
                resolvedAt: nil, updatedAt: Date())
            let opening = AlarmEvent(
                alarmName: alarm.name, alarmArn: alarm.arn, state: .alarm, previousState: .ok, stateChangeTime: Date(),
                reason: "r", region: "us-east-1", accountId: base.incident.accountId, metric: nil, alarmRule: nil,
                triggeringChildren: [], source: .snsNotification, messageId: nil)
            let sections = investigator.promptContext(
                fourth, alarm: opening,
                findings: [
                    Finding(
                        category: .badDeployment, service: base.findings.first?.service, title: "t", confidence: 0.9,
                        evidence: [])
                ], runbook: nil)
            #expect(sections.map(\.name) == ["earlier_incidents"])
            #expect(sections.first?.lines.count == 3)
            #expect(sections.first?.lines.first?.contains("bad_deployment: \(thirdStored.summary.prefix(80))") == true)

            // Another alarm's incidents are another history.
            var other = incident("44444444444444444444", hoursAgo: 0.5)
            other.incident.alarms[0].arn += "-other"
            _ = try delivery.deliverer(context, scenario, state: stateB).deliver(other)
            #expect(try stored(other).history?.count30d == 0)
        }
    }
}

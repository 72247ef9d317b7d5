import AWSCore
import Foundation

/// Turns one investigated incident into its `Report`: findings (rules first, then what the model
/// added), a summary, next steps, severity, console links; then redacts every string in it.
public struct ReportBuilder: Sendable {
    /// Patterns kept in the report, across log groups.
    public static let maxPatterns = 30
    /// Stopped tasks kept in the report (newest first).
    public static let maxStoppedTasks = 50

    /// Nil turns redaction off (`analysis.redact: false`).
    public let redactor: Redactor?

    public init(redactor: Redactor? = Redactor()) {
        self.redactor = redactor
    }

    public func build(
        incident: IncidentTracker.Incident, alarm: AlarmEvent, evidence: Evidence, findings: [Finding],
        analysis: AnalysisResult, now: Date, runbook: Runbook? = nil
    ) -> Report {
        let ranked = Self.rank(rules: findings, model: analysis.findings)
        let verdict = analysis.source == .bedrock ? Self.verdict(rules: findings, model: analysis.findings) : nil
        // The model's words lead only where its diagnosis is the evidence's.
        let modelAgrees = verdict?.verdict == .agrees
        var report = Report(
            generator: "triaged \(TriagedVersion.current)", generatedAt: now,
            severity: Self.severity(evidence: evidence, resolved: incident.resolvedAt != nil),
            incident: Report.IncidentPart(
                id: incident.id, openedAt: incident.openedAt, resolvedAt: incident.resolvedAt, region: alarm.region,
                accountId: alarm.accountId,
                alarms: incident.alarms.map { reference in
                    Report.AlarmPart(
                        name: reference.name, arn: reference.arn,
                        accountId: AccountRole.accountAndRegion(ofArn: reference.arn)?.account,
                        region: AccountRole.accountAndRegion(ofArn: reference.arn)?.region,
                        stateChangeTime: reference.stateChangeTime,
                        reason: reference.reason,
                        metric: reference.arn == alarm.alarmArn ? alarm.metric.map(Self.metricPart) : nil)
                }),
            window: Report.WindowPart(
                start: evidence.window.start, end: evidence.window.end, alarmTime: evidence.window.alarmTime),
            summary: "",
            findings: ranked,
            nextSteps: Self.nextSteps(
                findings: ranked, evidence: evidence, modelActions: analysis.actions, modelFirst: modelAgrees,
                runbookSteps: runbook?.steps ?? []),
            analysis: Report.AnalysisPart(
                source: analysis.source, modelId: analysis.modelId, rootCause: analysis.rootCause,
                narrative: analysis.narrative, unavailableReason: analysis.unavailableReason,
                usage: .init(
                    inputTokens: analysis.usage.inputTokens, outputTokens: analysis.usage.outputTokens,
                    estimatedCostUsd: analysis.usage.estimatedCostUSD, cacheReadTokens: analysis.usage.cacheReadTokens,
                    cacheWriteTokens: analysis.usage.cacheWriteTokens, costKnown: analysis.usage.costKnown),
                answeredBy: analysis.answeredBy, truncated: analysis.truncated, attempts: analysis.attempts,
                notes: analysis.notes, verdict: verdict?.verdict, disagreement: verdict?.disagreement),
            evidence: Self.evidencePart(evidence),
            gaps: evidence.gaps + (runbook?.gaps ?? []),
            links: Report.Links(
                report: nil, objects: nil,
                console: ConsoleLinks(region: alarm.region).links(
                    alarmName: alarm.alarmName, evidence: evidence, focusService: Self.focusService(ranked, evidence)),
                runbook: runbook?.url))
        if let resolvedAt = incident.resolvedAt {
            report.resolution = Report.Resolution(openedAt: incident.openedAt, resolvedAt: resolvedAt)
        }
        report.summary = Self.summary(report: report, modelSummary: modelAgrees ? analysis.summary : nil)
        return redactor.map { redacted(report, with: $0) } ?? report
    }

    // MARK: parts

    /// Rule findings, then model findings of categories the rules did not find; most confident first
    /// (rules first on ties).
    static func rank(rules: [Finding], model: [Finding]) -> [Report.ReportFinding] {
        // The rules' ranking stands (an `unknown` they put first stays first: nothing cleared the
        // bar). A model finding is reported only where the evidence supports it — a rule finding
        // of its category and service — and then the rule finding already says it; so the
        // model's findings add no rows, and what it said lives in `analysis` with the verdict.
        rules.map { Report.ReportFinding(finding: $0, source: .rules) }
    }

    /// Whether a model finding says what a rule finding says: the same category, and the same
    /// service where both name one.
    static func supports(_ model: Finding, _ rule: Finding) -> Bool {
        guard model.category == rule.category else { return false }
        guard let modelService = model.service, let ruleService = rule.service else { return true }
        return modelService.caseInsensitiveCompare(ruleService) == .orderedSame
    }

    /// The model's most confident finding against the rules' top one: it agrees when it says the
    /// same; else the rules' finding stands and the report says how the model differed — with
    /// evidence ranked lower, or with none.
    static func verdict(rules: [Finding], model: [Finding]) -> (
        verdict: Report.AnalysisPart.Verdict, disagreement: String?
    )? {
        guard let top = rules.first else { return nil }
        guard
            let claim = model.enumerated().max(by: { lhs, rhs in
                lhs.element.confidence != rhs.element.confidence
                    ? lhs.element.confidence < rhs.element.confidence : lhs.offset > rhs.offset
            })?.element
        else { return nil }
        if supports(claim, top) { return (.agrees, nil) }
        let said = "The model's diagnosis is \(claim.category.rawValue)\(claim.service.map { " of \($0)" } ?? "")"
        if top.category == .unknown {
            return (
                .disagrees,
                "\(said); no cause clears the evidence's bar, so the report stays at unknown."
            )
        }
        let stands = "\(top.category.rawValue)\(top.service.map { " of \($0)" } ?? "")"
        if let ranked = rules.first(where: { supports(claim, $0) }) {
            return (
                .disagrees,
                "\(said); the evidence ranks it lower (\(ReportText.percent(ranked.confidence)) against \(ReportText.percent(top.confidence)) for \(stands)), so \(stands) stands."
            )
        }
        return (.disagrees, "\(said), which the evidence does not support; \(stands) stands.")
    }

    /// `critical` when a target group has no healthy target or a service runs none of its desired
    /// tasks; else `high` while the alarm holds, `medium` once it has returned to OK.
    static func severity(evidence: Evidence, resolved: Bool) -> Report.Severity {
        let noHealthyTargets = evidence.targetGroups.contains { group in
            !group.targets.isEmpty && !group.targets.contains { $0.state == .healthy }
        }
        let noRunningTasks = evidence.ecs.services.contains { $0.desired > 0 && $0.running == 0 }
        if noHealthyTargets || noRunningTasks { return .critical }
        return resolved ? .medium : .high
    }

    static func metricPart(_ metric: AlarmEvent.Metric) -> Report.MetricPart {
        Report.MetricPart(
            namespace: metric.namespace, name: metric.name, statistic: metric.statistic, period: metric.period,
            threshold: metric.threshold.flatMap { $0.isFinite ? $0 : nil },
            comparisonOperator: metric.comparisonOperator,
            dimensions: metric.dimensions.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) })
    }

    static func evidencePart(_ evidence: Evidence) -> Report.EvidencePart {
        var patterns: [Report.LogsPart.Pattern] = []
        for group in evidence.logs {
            for pattern in group.patterns {
                patterns.append(
                    .init(
                        template: pattern.template, count: pattern.count, example: pattern.example,
                        level: pattern.level?.description, firstSeen: pattern.firstSeen, lastSeen: pattern.lastSeen,
                        group: group.group, service: group.service))
            }
        }
        patterns.sort { $0.count > $1.count }
        let stopped = evidence.ecs.stoppedTasks.sorted {
            ($0.stoppedAt ?? .distantPast) > ($1.stoppedAt ?? .distantPast)
        }
        return Report.EvidencePart(
            metrics: Report.MetricsPart(
                series: evidence.metrics.map { series in
                    // JSON has no NaN or infinity (encoding one would throw): such points and summaries are left out.
                    let finite = zip(series.timestamps, series.values).filter { $0.1.isFinite }
                    return .init(
                        id: series.id, namespace: series.namespace, name: series.name, stat: series.stat,
                        period: series.period,
                        dimensions: series.dimensions.sorted { $0.key < $1.key }.map {
                            .init(name: $0.key, value: $0.value)
                        },
                        timestamps: finite.map(\.0), values: finite.map(\.1),
                        summary: series.summary.flatMap { summary in
                            [summary.baseline, summary.peak, summary.last].allSatisfy(\.isFinite) ? summary : nil
                        })
                }),
            loadBalancer: Report.LoadBalancerPart(
                name: evidence.topology.loadBalancer, arn: evidence.topology.loadBalancerArn,
                targetGroups: evidence.targetGroups),
            ecs: Report.ECSPart(
                cluster: evidence.topology.cluster, servicesFrom: evidence.topology.servicesFrom,
                services: evidence.ecs.services, stoppedTasks: Array(stopped.prefix(maxStoppedTasks)),
                taskDefinitions: evidence.ecs.taskDefinitions),
            logs: Report.LogsPart(
                groups: evidence.logs.map {
                    .init(group: $0.group, service: $0.service, linesRead: $0.linesRead, capped: $0.capped)
                },
                patterns: Array(patterns.prefix(maxPatterns))),
            traces: collapsedTraces(evidence.traces), apiCalls: evidence.apiCalls)
    }

    static func collapsedTraces(_ traces: TraceEvidence) -> TraceEvidence {
        var collapsed = traces
        collapsed.failingSegments = FailingSegment.collapsed(traces.failingSegments)
        return collapsed
    }

    /// The service the top finding blames, else one named in a finding's title or evidence, else the first one.
    static func focusService(_ findings: [Report.ReportFinding], _ evidence: Evidence) -> String? {
        if let service = findings.lazy.compactMap(\.service).first { return service }
        let services = evidence.topology.services
        for finding in findings {
            let text = ([finding.title] + finding.evidence).joined(separator: " ")
            if let named = services.sorted(by: { $0.count > $1.count }).first(where: { text.contains($0) }) {
                return named
            }
        }
        return services.first
    }

    /// A second finding at least this close to the top one is a second cause, not a footnote.
    static let secondCauseRatio = 0.75

    static func summary(report: Report, modelSummary: String?) -> String {
        if let modelSummary, !modelSummary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return modelSummary
        }
        let alarm = report.openingAlarm
        var parts: [String] = []
        let when = alarm.map { ReportText.clock($0.stateChangeTime) } ?? "?"
        parts.append("\(alarm?.name ?? "The alarm") went into ALARM at \(when).")
        if let top = report.topFinding, top.category != .unknown {
            let second = report.findings.dropFirst().first { finding in
                finding.source == .rules && finding.category != .unknown
                    && finding.confidence >= FindingsEngine.bar
                    && finding.confidence >= secondCauseRatio * top.confidence
                    // Another service's failure; one of the same service is its mechanism or symptom.
                    && (finding.service != top.service || (finding.service == nil && finding.category != top.category))
            }
            if let second {
                parts.append(
                    "Two causes: \(top.title.trimmingSuffix(".")) (\(ReportText.percent(top.confidence)) confidence), and \(second.title.trimmingSuffix(".").lowercasedFirst()) (\(ReportText.percent(second.confidence)))."
                )
            } else {
                var sentence =
                    "Most likely: \(top.title.trimmingSuffix(".")) (\(ReportText.percent(top.confidence)) confidence)"
                if let first = top.evidence.first { sentence += " — \(first)" }
                parts.append(sentence + ".")
            }
            let others = report.findings.dropFirst(second == nil ? 1 : 2).prefix(2).map {
                $0.title.trimmingSuffix(".").lowercasedFirst()
            }
            if !others.isEmpty { parts.append("Also seen: \(others.joined(separator: "; ")).") }
        } else if let top = report.topFinding, let service = top.service {
            parts.append(
                "The collected evidence shows no conclusive cause; the errors came from \(service)'s targets. See what was checked below."
            )
        } else {
            parts.append("The collected evidence shows no conclusive cause; see what was checked below.")
        }
        if !report.gaps.isEmpty {
            parts.append("Not readable: \(Set(report.gaps.map(\.source)).sorted().joined(separator: ", ")).")
        }
        if let disagreement = report.analysis.disagreement {
            parts.append(disagreement)
        }
        if report.analysis.source != .bedrock {
            parts.append("Model analysis unavailable: \(report.analysis.unavailableReason ?? "not requested").")
        }
        return parts.joined(separator: " ")
    }

    /// Marks a next step taken from the alarm's runbook.
    public static let runbookStepPrefix = "From the runbook: "

    /// The runbook's steps first (the team's own procedure, marked), then the model's actions when it
    /// agrees with the rules (else after the rules' steps), then the rules' steps for the top
    /// categories; at most six.
    static func nextSteps(
        findings: [Report.ReportFinding], evidence: Evidence, modelActions: [String], modelFirst: Bool = true,
        runbookSteps: [String] = []
    ) -> [String] {
        let actions = modelActions.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        var steps = runbookSteps.map { runbookStepPrefix + $0 }
        if modelFirst { steps += actions }
        for finding in findings.prefix(3) {
            let step = ruleStep(finding, evidence: evidence)
            if !steps.contains(step) { steps.append(step) }
        }
        if !modelFirst { steps += actions.filter { !steps.contains($0) } }
        return Array(steps.prefix(6))
    }

    static func ruleStep(_ finding: Report.ReportFinding, evidence: Evidence) -> String {
        switch finding.category {
        case .badDeployment:
            if let rollback = rollbackCommand(evidence) {
                return
                    "Roll back to the previous task definition revision: `\(rollback)`, then compare the new revision's image and settings."
            }
            return
                "Roll back the service to its previous task definition revision, then compare the new revision's image and settings."
        case .outOfMemory:
            return
                "Raise the task's memory limit or find the leak: compare MemoryUtilization before and after the last change and read the OutOfMemory log example."
        case .containerCrash:
            return
                "Read the stopped tasks' reasons and the first error lines of their logs; check the image, entry point and required configuration."
        case .unhealthyTargets:
            return
                "Check the target group's health-check path, port and timeouts against the service, and why the targets fail (reasons above)."
        case .dependencyFailure:
            return
                "Check the failing dependency's health, connection limits and security groups; make callers time out quickly and back off."
        case .capacityExhaustion:
            return
                "Scale the service out (desired count and auto scaling maximum) and check its CPU and memory reservations."
        case .throttling:
            return
                "Find the throttled API in the log example, add backoff with jitter, and request a quota increase if the rate is legitimate."
        case .applicationError:
            return
                "Open the top log patterns' examples and the failing traces; look for recent configuration or data changes."
        case .unknown:
            return
                "Check the gaps and what was read; look for changes triaged cannot see (database, network, third parties)."
        }
    }

    /// `aws ecs update-service …` back to the revision before the failing PRIMARY deployment.
    static func rollbackCommand(_ evidence: Evidence) -> String? {
        guard let cluster = evidence.topology.cluster else { return nil }
        for service in evidence.ecs.services {
            guard service.deployments.contains(where: { $0.status == .primary }),
                let previous = service.deployments.first(where: { $0.status == .active })?.taskDefinition,
                let familyRevision = previous.split(separator: "/").last
            else { continue }
            return
                "aws ecs update-service --cluster \(cluster) --service \(service.name) --task-definition \(familyRevision)"
        }
        return nil
    }

    // MARK: resolution and history

    /// The service of the top finding.
    static func topService(_ findings: [Report.ReportFinding]) -> String? {
        findings.first?.service
    }

    /// The history fingerprint of findings ranked as in a report, for `alarmArn`.
    public static func fingerprint(alarmArn: String, findings: [Report.ReportFinding]) -> String {
        IncidentHistory.fingerprint(
            alarmArn: alarmArn, category: findings.first?.category ?? .unknown, service: topService(findings))
    }

    /// The fingerprint of the rules' top finding (what is known before the model answers).
    public static func fingerprint(alarmArn: String, ruleFindings: [Finding]) -> String {
        fingerprint(alarmArn: alarmArn, findings: rank(rules: ruleFindings, model: []))
    }

    /// `report` with its history, and the summary saying how often this happened.
    public static func withHistory(_ report: Report, _ history: Report.History) -> Report {
        var report = report
        report.history = history
        if let last = history.previous.first {
            let times = history.count30d == 1 ? "once" : "\(history.count30d) times"
            report.summary += " This happened \(times) in 30 days before, last on \(ReportText.clock(last.openedAt))."
        }
        return report
    }

    // MARK: redaction

    /// Every string in the report (keys stay) passed through the redactor.
    func redacted(_ report: Report, with redactor: Redactor) -> Report {
        guard let data = try? Report.encoder.encode(report),
            let tree = try? JSONSerialization.jsonObject(with: data),
            let cleaned = try? JSONSerialization.data(withJSONObject: Self.mapStrings(tree, redactor.redact)),
            let result = try? Report.decoder.decode(Report.self, from: cleaned)
        else {
            // The report is our own value type; a round trip cannot fail short of a programming error.
            preconditionFailure("report did not survive its own JSON round trip")
        }
        return result
    }

    static func mapStrings(_ value: Any, _ transform: (String) -> String) -> Any {
        switch value {
        case let text as String: return transform(text)
        case let array as [Any]: return array.map { mapStrings($0, transform) }
        case let object as [String: Any]: return object.mapValues { mapStrings($0, transform) }
        default: return value
        }
    }
}

extension Report {
    /// The history fingerprint of this report (alarm, top category, top service).
    public var fingerprint: String {
        ReportBuilder.fingerprint(alarmArn: openingAlarm?.arn ?? incident.id, findings: findings)
    }

    /// This report once every alarm is back to OK: the resolution, and `high` lowered to `medium`
    /// as `ReportBuilder.severity` does for a resolved incident.
    public func resolved(at resolvedAt: Date) -> Report {
        var report = self
        report.incident.resolvedAt = resolvedAt
        report.resolution = Resolution(openedAt: incident.openedAt, resolvedAt: resolvedAt)
        if report.severity == .high { report.severity = .medium }
        return report
    }
}

extension Report.ReportFinding {
    init(finding: Finding, source: FindingSource) {
        self.init(
            category: finding.category, service: finding.service, resource: finding.resource, title: finding.title,
            confidence: finding.confidence, evidence: finding.evidence, source: source)
    }
}

import Foundation

/// What `report.md` and `report.html` show, in their order, as plain unescaped text: built once
/// from a `Report`, then written out by `MarkdownRenderer` (escaping for Markdown) and
/// `HTMLRenderer` (escaping for HTML, plus the charts). Every row, label and limit is decided here,
/// so the two pages cannot drift apart; a renderer only chooses markup.
public struct ReportView: Sendable {
    /// A `label value` pair of the header line.
    public struct Fact: Sendable, Equatable {
        public let label: String
        public let value: String
        /// The value is an identifier, shown as code.
        public let isCode: Bool
    }

    /// One finding, ranked.
    public struct Finding: Sendable, Equatable {
        public let title: String
        public let category: String
        /// `92%`.
        public let confidence: String
        public let source: String
        public let attribution: String?
        public let evidence: [String]
    }

    /// An earlier incident like this one.
    public struct Earlier: Sendable, Equatable {
        public let openedAt: String
        public let category: String
        public let service: String?
        public let incidentId: String
        public let reportKey: String
        /// The report's page in the S3 console (https).
        public let consoleURL: String
    }

    /// A table cell: prose, or a value shown literally (a log template).
    public enum Cell: Sendable, Equatable {
        case text(String)
        case code(String)

        public var text: String {
            switch self {
            case .text(let value), .code(let value): value
            }
        }
    }

    /// A column heading; numeric columns align right.
    public struct Column: Sendable, Equatable {
        public let name: String
        public let numeric: Bool

        init(_ name: String, numeric: Bool = false) {
            self.name = name
            self.numeric = numeric
        }
    }

    /// One evidence table: its rows (already limited), how many were left out, and what to say
    /// when there are none.
    public struct Table: Sendable, Equatable {
        public let title: String
        public let columns: [Column]
        public let rows: [[Cell]]
        /// Rows not shown (they are in report.json).
        public let omitted: Int
        /// Shown instead of an empty table (nothing when empty).
        public let emptyText: String
        /// A sentence between the title and the table.
        public var lead: String?
        /// Lines under the table: a note, recent events, examples.
        public var notes: [Note] = []
    }

    /// A line under a table: a heading for a list, list items, or literal examples.
    public enum Note: Sendable, Equatable {
        case listTitle(String)
        case item(String)
        case example(String)
    }

    /// The model's part.
    public struct Analysis: Sendable, Equatable {
        /// Why there is none (nil when the model answered).
        public let unavailable: String?
        /// `Model x: 1200 input and 300 output tokens, about $0.0100.`
        public let usage: String?
        public let model: String?
        public let disagreement: String?
        public let agrees: Bool
        public let rootCause: String?
        public let narrative: String?
    }

    /// A link with its label (https only).
    public struct Link: Sendable, Equatable {
        public let label: String
        public let url: String
    }

    public let severity: String
    public let alarmName: String
    public let headline: String
    public let facts: [Fact]
    public let runbook: String?
    public let reason: String?
    /// `name (10:04:00)` for each alarm of an incident of several.
    public let correlated: [String]
    public let summary: String
    public let earlierSummary: String?
    public let earlier: [Earlier]
    public let findings: [Finding]
    public let nextSteps: [String]
    /// Metrics, target health, ECS services, stopped tasks, log patterns, traces (each when there is
    /// something to say).
    public let tables: [Table]
    public let checked: [String]
    public let gaps: [(source: String, reason: String)]
    public let analysis: Analysis
    public let links: [Link]
    /// The presigned link to report.html (ours, not telemetry: any scheme, the local emulator's
    /// included). Markdown shows it; the HTML page does not link to itself.
    public let htmlReport: String?
    /// The report object's S3 key, `report.json` (its siblings share the folder).
    public let objectKey: String?
    public let footer: String

    /// Rows shown per table; the rest stay in report.json.
    public static let stoppedTaskRows = 15
    public static let logPatternRows = 10
    public static let traceSegmentRows = 10
    /// Service events shown per service.
    public static let serviceEvents = 3
    /// Log pattern examples shown.
    public static let logExamples = 3

    public init(_ report: Report) {
        let alarm = report.openingAlarm
        severity = report.severity.rawValue
        alarmName = alarm?.name ?? "alarm"
        headline = report.topFinding?.title ?? "no conclusive cause"
        var facts = [
            Fact(label: "Severity", value: report.severity.rawValue, isCode: false),
            Fact(
                label: "Alarm",
                value: "\(alarm?.name ?? "?") in ALARM since \(ReportText.clock(report.window.alarmTime))",
                isCode: false),
            Fact(
                label: "Window",
                value: "\(ReportText.clock(report.window.start)) → \(ReportText.time(report.window.end))",
                isCode: false),
            Fact(label: "Incident", value: report.incident.id, isCode: true),
        ]
        if let resolution = report.resolution {
            facts.append(
                Fact(
                    label: "Resolved",
                    value:
                        "\(ReportText.clock(resolution.resolvedAt)) after \(ReportText.duration(resolution.durationSeconds))",
                    isCode: false))
        } else if let resolved = report.incident.resolvedAt {
            facts.append(Fact(label: "Back to OK", value: ReportText.clock(resolved), isCode: false))
        }
        self.facts = facts
        runbook = report.links.runbook.flatMap { $0.hasPrefix("https://") ? $0 : nil }
        reason = alarm?.reason
        correlated =
            report.incident.alarms.count > 1
            ? report.incident.alarms.map { "\($0.name) (\(ReportText.time($0.stateChangeTime)))" } : []
        summary = report.summary
        if let history = report.history, !history.previous.isEmpty {
            earlierSummary =
                "Happened \(history.count30d) \(history.count30d == 1 ? "time" : "times") in the 30 days before (same alarm, category and service):"
            earlier = history.previous.map { previous in
                Earlier(
                    openedAt: ReportText.clock(previous.openedAt), category: previous.category.rawValue,
                    service: previous.service, incidentId: previous.incidentId, reportKey: previous.reportKey,
                    consoleURL: ReportText.s3ConsoleURL(previous.reportKey, region: report.incident.region))
            }
        } else {
            earlierSummary = nil
            earlier = []
        }
        findings = report.findings.map { finding in
            Finding(
                title: finding.title, category: finding.category.rawValue,
                confidence: ReportText.percent(finding.confidence), source: finding.source.rawValue,
                attribution: finding.attribution, evidence: finding.evidence)
        }
        nextSteps = report.nextSteps
        tables = [
            Self.metrics(report), Self.targets(report), Self.services(report), Self.stoppedTasks(report),
            Self.logPatterns(report), Self.traces(report),
        ].compactMap { $0 }
        checked = Self.checked(report)
        gaps = report.gaps.map { ($0.source, $0.reason) }
        analysis = Self.analysis(report)
        var links: [Link] = []
        for (label, url) in [
            ("Runbook", report.links.runbook),
            ("Alarm in CloudWatch", report.links.console.alarm), ("ECS service", report.links.console.ecsService),
            ("Logs Insights over the window", report.links.console.logsInsights),
        ] {
            if let url, url.hasPrefix("https://") { links.append(Link(label: label, url: url)) }
        }
        self.links = links
        htmlReport = report.links.report
        objectKey = report.links.objects?.json
        footer =
            "\(report.generator) · generated \(ReportText.clock(report.generatedAt)) · schema \(report.schemaVersion)"
    }

    // MARK: tables

    static func metrics(_ report: Report) -> Table {
        let rows = report.evidence.metrics.series.compactMap { item -> [Cell]? in
            guard let summary = item.summary else { return nil }
            let scope =
                item.dimensions.first { $0.name == "ServiceName" || $0.name == "TargetGroup" }?.value ?? "load balancer"
            return [
                item.name, item.stat, scope, number(summary.baseline), number(summary.peak),
                ReportText.time(summary.peakAt), summary.riseStartedAt.map(ReportText.time) ?? "—",
            ].map(Cell.text)
        }
        return Table(
            title: "Metrics",
            columns: [
                Column("metric"), Column("stat"), Column("scope"), Column("baseline", numeric: true),
                Column("peak", numeric: true), Column("peak at"), Column("rise began"),
            ],
            rows: rows, omitted: 0, emptyText: "No metric data.")
    }

    static func targets(_ report: Report) -> Table? {
        let groups = report.evidence.loadBalancer.targetGroups
        guard !groups.isEmpty else { return nil }
        var rows: [[Cell]] = []
        for group in groups {
            if group.targets.isEmpty { rows.append([group.name, "—", "no targets", ""].map(Cell.text)) }
            for target in group.targets {
                rows.append(
                    [
                        group.name, target.id + (target.port.map { ":\($0)" } ?? ""), target.state.rawValue,
                        [target.reason, target.description].compactMap { $0 }.joined(separator: ": "),
                    ].map(Cell.text))
            }
        }
        return Table(
            title: "Target health",
            columns: [Column("target group"), Column("target"), Column("state"), Column("reason")],
            rows: rows, omitted: 0, emptyText: "")
    }

    static func services(_ report: Report) -> Table? {
        let services = report.evidence.ecs.services
        guard !services.isEmpty else { return nil }
        let rows = services.map { service -> [Cell] in
            let deployments = service.deployments.map { deployment in
                var text = "\(deployment.status ?? "?") rev \(deployment.revision.map(String.init) ?? "?")"
                if let state = deployment.rolloutState { text += " \(state)" }
                if let created = deployment.createdAt { text += " at \(ReportText.time(created))" }
                if let failed = deployment.failedTasks, failed > 0 { text += ", \(failed) failed" }
                return text
            }
            return [
                service.name, "\(service.running) / \(service.desired)", "\(service.pending)",
                deployments.joined(separator: "; "),
            ].map(Cell.text)
        }
        var table = Table(
            title: "ECS services (cluster \(report.evidence.ecs.cluster ?? "?"))",
            columns: [
                Column("service"), Column("running / desired", numeric: true), Column("pending", numeric: true),
                Column("deployments"),
            ],
            rows: rows, omitted: 0, emptyText: "")
        let events = services.flatMap { service in service.events.prefix(serviceEvents).map { (service.name, $0) } }
        if !events.isEmpty {
            table.notes.append(.listTitle("Recent service events:"))
            for (name, event) in events {
                table.notes.append(.item("\(event.at.map(ReportText.time) ?? "?") \(name): \(event.message)"))
            }
        }
        return table
    }

    static func stoppedTasks(_ report: Report) -> Table {
        let tasks = report.evidence.ecs.stoppedTasks
        let rows = tasks.prefix(stoppedTaskRows).map { task -> [Cell] in
            let exits = task.containers.map { "\($0.name ?? "?")=\($0.exitCode.map(String.init) ?? "?")" }
            let reasons = ([task.stoppedReason] + task.containers.map(\.reason)).compactMap { $0 }
            return [
                task.stoppedAt.map(ReportText.time) ?? "?", task.service ?? "?",
                task.taskDefinition.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "?",
                task.stopCode ?? "", exits.joined(separator: " "), reasons.joined(separator: "; "),
            ].map(Cell.text)
        }
        return Table(
            title: tasks.isEmpty ? "Stopped tasks" : "Stopped tasks (\(tasks.count))",
            columns: [
                Column("stopped"), Column("service"), Column("revision"), Column("stop code"), Column("exit codes"),
                Column("reason"),
            ],
            rows: Array(rows), omitted: max(0, tasks.count - stoppedTaskRows), emptyText: "None in the window.")
    }

    static func logPatterns(_ report: Report) -> Table {
        let patterns = report.evidence.logs.patterns
        let read = report.evidence.logs.groups.reduce(0) { $0 + $1.linesRead }
        let rows = patterns.prefix(logPatternRows).map { pattern -> [Cell] in
            [
                .text("\(pattern.count)"), .text(pattern.level ?? ""), .text(pattern.service ?? pattern.group),
                .text(pattern.firstSeen ?? ""), .code(pattern.template),
            ]
        }
        var table = Table(
            title: patterns.isEmpty ? "Log patterns" : "Top log patterns",
            columns: [
                Column("count", numeric: true), Column("level"), Column("service"), Column("first seen"),
                Column("template"),
            ],
            rows: Array(rows), omitted: max(0, patterns.count - logPatternRows),
            emptyText: "No matching log lines (\(read) read).")
        if !patterns.isEmpty {
            table.notes.append(.listTitle("Examples of the top patterns:"))
            for pattern in patterns.prefix(logExamples) { table.notes.append(.example(pattern.example)) }
        }
        return table
    }

    static func traces(_ report: Report) -> Table? {
        let traces = report.evidence.traces
        guard traces.summariesRead > 0 || !traces.failingSegments.isEmpty else { return nil }
        let rows = traces.failingSegments.prefix(traceSegmentRows).map { segment -> [Cell] in
            [
                segment.service, segment.operation ?? segment.url ?? "", segment.status.map(String.init) ?? "",
                segment.downstream ?? "", segment.cause ?? "", String(segment.count ?? 1),
            ].map(Cell.text)
        }
        var table = Table(
            title: "Traces",
            columns: [
                Column("service"), Column("operation"), Column("status", numeric: true), Column("downstream"),
                Column("cause"), Column("traces", numeric: true),
            ],
            rows: Array(rows), omitted: max(0, traces.failingSegments.count - traceSegmentRows),
            emptyText: "")
        table.lead = "\(traces.summariesRead) trace summaries read: \(traces.faults) faults, \(traces.errors) errors."
        return table
    }

    /// One line per source: what was read.
    static func checked(_ report: Report) -> [String] {
        let evidence = report.evidence
        let targets = evidence.loadBalancer.targetGroups.reduce(0) { $0 + $1.targets.count }
        let lines = evidence.logs.groups.reduce(0) { $0 + $1.linesRead }
        return [
            "metrics: \(evidence.metrics.series.count) series of \(evidence.loadBalancer.name ?? "no load balancer")",
            "target health: \(evidence.loadBalancer.targetGroups.count) target groups, \(targets) targets",
            "ECS: \(evidence.ecs.services.count) services (chosen by \(evidence.ecs.servicesFrom)), \(evidence.ecs.stoppedTasks.count) stopped tasks, \(evidence.ecs.taskDefinitions.count) task definitions",
            "logs: \(evidence.logs.groups.count) groups, \(lines) matching lines, \(evidence.logs.patterns.count) patterns kept"
                + (evidence.logs.groups.contains { $0.capped } ? " (reading capped)" : ""),
            "traces: \(evidence.traces.summariesRead) summaries, \(evidence.traces.failingSegments.count) failing segments",
            "\(evidence.apiCalls) AWS API calls",
        ]
    }

    static func analysis(_ report: Report) -> Analysis {
        let analysis = report.analysis
        guard analysis.source == .bedrock else {
            return Analysis(
                unavailable:
                    "Not available: \(analysis.unavailableReason ?? "not requested"). The findings come from deterministic rules over the evidence.",
                usage: nil, model: nil, disagreement: nil, agrees: false, rootCause: nil, narrative: nil)
        }
        return Analysis(
            unavailable: nil,
            usage:
                "\(analysis.usage.inputTokens) input and \(analysis.usage.outputTokens) output tokens, about $\(String(format: "%.4f", analysis.usage.estimatedCostUsd)).",
            model: analysis.answeredBy ?? analysis.modelId ?? "?", disagreement: analysis.disagreement,
            agrees: analysis.disagreement == nil && analysis.verdict == .agrees, rootCause: analysis.rootCause,
            narrative: analysis.narrative)
    }

    /// A metric value as a person reads it: integers without decimals, small values to three places.
    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e12 { return String(Int(value)) }
        return String(format: abs(value) < 10 ? "%.3f" : "%.1f", value)
    }
}

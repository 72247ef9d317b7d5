import AWSCore
import Foundation

/// `report.md`: what an on-call engineer reads first. CommonMark/GFM that also reads well as plain
/// text in a terminal. Telemetry and model text are untrusted: outside code spans every Markdown
/// metacharacter in them is escaped, so a log line cannot inject links, HTML or table cells.
public enum MarkdownRenderer {
    public static func render(_ report: Report) -> String {
        var out: [String] = []
        let alarm = report.openingAlarm
        let headline = report.topFinding.map { $0.title } ?? "no conclusive cause"
        out.append(
            "# [\(report.severity.rawValue.uppercased())] \(escape(alarm?.name ?? "alarm")): \(escape(headline))")
        out.append("")
        var facts = [
            "**Severity** \(report.severity.rawValue)",
            "**Alarm** \(escape(alarm?.name ?? "?")) in ALARM since \(ReportText.clock(report.window.alarmTime))",
            "**Window** \(ReportText.clock(report.window.start)) → \(ReportText.time(report.window.end))",
            "**Incident** `\(report.incident.id)`",
        ]
        if let resolution = report.resolution {
            facts.append(
                "**Resolved** \(ReportText.clock(resolution.resolvedAt)) after \(ReportText.duration(resolution.durationSeconds))"
            )
        } else if let resolved = report.incident.resolvedAt {
            facts.append("**Back to OK** \(ReportText.clock(resolved))")
        }
        out.append(facts.joined(separator: " · "))
        if let runbook = report.links.runbook, runbook.hasPrefix("https://") {
            out += ["", "**Runbook** [\(escape(runbook))](\(runbook))"]
        }
        if report.incident.alarms.count > 1 {
            out.append("")
            out.append(
                "Correlated alarms: "
                    + report.incident.alarms.map { "\(escape($0.name)) (\(ReportText.time($0.stateChangeTime)))" }
                    .joined(separator: ", "))
        }
        if let alarm {
            out.append("")
            out.append("> \(escape(alarm.reason))")
        }

        out += ["", "## Summary", "", escape(report.summary)]
        out += earlierIncidents(report)

        out += ["", "## Findings", ""]
        for (index, finding) in report.findings.enumerated() {
            out.append(
                "\(index + 1). **\(escape(finding.title))** — `\(finding.category.rawValue)`, \(ReportText.percent(finding.confidence)) (\(finding.source))"
            )
            if let attribution = finding.attribution { out.append("   - \(escape(attribution))") }
            for line in finding.evidence { out.append("   - \(escape(line))") }
        }

        if !report.nextSteps.isEmpty {
            out += ["", "## Next steps", ""]
            for (index, step) in report.nextSteps.enumerated() {
                out.append("\(index + 1). \(escapeKeepingCode(step))")
            }
        }

        out += ["", "## Evidence"]
        out += metrics(report)
        out += targets(report)
        out += services(report)
        out += stoppedTasks(report)
        out += logPatterns(report)
        out += traces(report)

        out += ["", "## What was checked", ""]
        out += checked(report).map { "- \($0)" }
        out += ["", "## Gaps", ""]
        if report.gaps.isEmpty {
            out.append("None: every source was read.")
        } else {
            out += report.gaps.map { "- **\(escape($0.source))**: \(escape($0.reason))" }
        }

        out += ["", "## Model analysis", ""]
        out += analysis(report)

        out += ["", "## Links", ""]
        out += links(report)
        out += [
            "", "---",
            "\(report.generator) · generated \(ReportText.clock(report.generatedAt)) · schema \(report.schemaVersion)",
            "",
        ]
        return out.joined(separator: "\n")
    }

    // MARK: sections

    static func metrics(_ report: Report) -> [String] {
        let series = report.evidence.metrics.series.filter { $0.summary != nil }
        guard !series.isEmpty else { return ["", "### Metrics", "", "No metric data."] }
        var out = [
            "", "### Metrics", "", "| metric | stat | scope | baseline | peak | peak at | rise began |",
            "|---|---|---|--:|--:|---|---|",
        ]
        for item in series {
            guard let summary = item.summary else { continue }
            let scope =
                item.dimensions.first { $0.name == "ServiceName" || $0.name == "TargetGroup" }?.value ?? "load balancer"
            out.append(
                row([
                    item.name, item.stat, scope, number(summary.baseline), number(summary.peak),
                    ReportText.time(summary.peakAt), summary.riseStartedAt.map(ReportText.time) ?? "—",
                ]))
        }
        return out
    }

    static func targets(_ report: Report) -> [String] {
        let groups = report.evidence.loadBalancer.targetGroups
        guard !groups.isEmpty else { return [] }
        var out = ["", "### Target health", "", "| target group | target | state | reason |", "|---|---|---|---|"]
        for group in groups {
            if group.targets.isEmpty { out.append(row([group.name, "—", "no targets", ""])) }
            for target in group.targets {
                let reason = [target.reason, target.description].compactMap { $0 }.joined(separator: ": ")
                out.append(row([group.name, target.id + (target.port.map { ":\($0)" } ?? ""), target.state, reason]))
            }
        }
        return out
    }

    static func services(_ report: Report) -> [String] {
        let services = report.evidence.ecs.services
        guard !services.isEmpty else { return [] }
        var out = [
            "", "### ECS services (cluster \(escape(report.evidence.ecs.cluster ?? "?")))", "",
            "| service | running / desired | pending | deployments |", "|---|--:|--:|---|",
        ]
        for service in services {
            let deployments = service.deployments.map { deployment in
                var text = "\(deployment.status ?? "?") rev \(deployment.revision.map(String.init) ?? "?")"
                if let state = deployment.rolloutState { text += " \(state)" }
                if let created = deployment.createdAt { text += " at \(ReportText.time(created))" }
                if let failed = deployment.failedTasks, failed > 0 { text += ", \(failed) failed" }
                return text
            }
            out.append(
                row([
                    service.name, "\(service.running) / \(service.desired)", "\(service.pending)",
                    deployments.joined(separator: "; "),
                ]))
        }
        let events = services.flatMap { service in service.events.prefix(3).map { (service.name, $0) } }
        if !events.isEmpty {
            out += ["", "Recent service events:", ""]
            for (name, event) in events {
                out.append("- \(event.at.map(ReportText.time) ?? "?") \(escape(name)): \(escape(event.message))")
            }
        }
        return out
    }

    static func stoppedTasks(_ report: Report) -> [String] {
        let tasks = report.evidence.ecs.stoppedTasks
        guard !tasks.isEmpty else { return ["", "### Stopped tasks", "", "None in the window."] }
        var out = [
            "", "### Stopped tasks (\(tasks.count))", "",
            "| stopped | service | revision | stop code | exit codes | reason |",
            "|---|---|---|---|---|---|",
        ]
        for task in tasks.prefix(15) {
            let exits = task.containers.map { "\($0.name ?? "?")=\($0.exitCode.map(String.init) ?? "?")" }
            let reasons = ([task.stoppedReason] + task.containers.map(\.reason)).compactMap { $0 }
            out.append(
                row([
                    task.stoppedAt.map(ReportText.time) ?? "?", task.service ?? "?",
                    task.taskDefinition.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "?",
                    task.stopCode ?? "", exits.joined(separator: " "), reasons.joined(separator: "; "),
                ]))
        }
        if tasks.count > 15 { out += ["", "…and \(tasks.count - 15) more in report.json."] }
        return out
    }

    static func logPatterns(_ report: Report) -> [String] {
        let patterns = report.evidence.logs.patterns
        guard !patterns.isEmpty else {
            let read = report.evidence.logs.groups.reduce(0) { $0 + $1.linesRead }
            return ["", "### Log patterns", "", "No matching log lines (\(read) read)."]
        }
        var out = [
            "", "### Top log patterns", "", "| count | level | service | first seen | template |",
            "|--:|---|---|---|---|",
        ]
        for pattern in patterns.prefix(10) {
            let cells = [
                "\(pattern.count)", pattern.level ?? "", pattern.service ?? pattern.group, pattern.firstSeen ?? "",
            ]
            out.append(
                "| " + cells.map(escape).joined(separator: " | ") + " | " + code(pattern.template, inTable: true) + " |"
            )
        }
        out += ["", "Examples of the top patterns:", ""]
        for pattern in patterns.prefix(3) { out.append("- \(code(pattern.example, inTable: false))") }
        return out
    }

    static func traces(_ report: Report) -> [String] {
        let traces = report.evidence.traces
        guard traces.summariesRead > 0 || !traces.failingSegments.isEmpty else { return [] }
        var out = [
            "", "### Traces", "",
            "\(traces.summariesRead) trace summaries read: \(traces.faults) faults, \(traces.errors) errors.",
        ]
        if !traces.failingSegments.isEmpty {
            out += ["", "| service | operation | status | downstream | cause | traces |", "|---|---|--:|---|---|--:|"]
            for segment in traces.failingSegments.prefix(10) {
                out.append(
                    row([
                        segment.service, segment.operation ?? segment.url ?? "", segment.status.map(String.init) ?? "",
                        segment.downstream ?? "", segment.cause ?? "", String(segment.count ?? 1),
                    ]))
            }
        }
        return out
    }

    /// One line per source: what was read.
    static func checked(_ report: Report) -> [String] {
        let evidence = report.evidence
        let targets = evidence.loadBalancer.targetGroups.reduce(0) { $0 + $1.targets.count }
        let lines = evidence.logs.groups.reduce(0) { $0 + $1.linesRead }
        return [
            "metrics: \(evidence.metrics.series.count) series of \(escape(evidence.loadBalancer.name ?? "no load balancer"))",
            "target health: \(evidence.loadBalancer.targetGroups.count) target groups, \(targets) targets",
            "ECS: \(evidence.ecs.services.count) services (chosen by \(evidence.ecs.servicesFrom)), \(evidence.ecs.stoppedTasks.count) stopped tasks, \(evidence.ecs.taskDefinitions.count) task definitions",
            "logs: \(evidence.logs.groups.count) groups, \(lines) matching lines, \(evidence.logs.patterns.count) patterns kept"
                + (evidence.logs.groups.contains { $0.capped } ? " (reading capped)" : ""),
            "traces: \(evidence.traces.summariesRead) summaries, \(evidence.traces.failingSegments.count) failing segments",
            "\(evidence.apiCalls) AWS API calls",
        ]
    }

    static func analysis(_ report: Report) -> [String] {
        let analysis = report.analysis
        guard analysis.source == "bedrock" else {
            return [
                "Not available: \(escape(analysis.unavailableReason ?? "not requested")). The findings above come from deterministic rules over the evidence."
            ]
        }
        var out = [
            "Model `\(analysis.answeredBy ?? analysis.modelId ?? "?")`: \(analysis.usage.inputTokens) input and \(analysis.usage.outputTokens) output tokens, about $\(String(format: "%.4f", analysis.usage.estimatedCostUsd))."
        ]
        if let disagreement = analysis.disagreement {
            out += ["", "**The model disagrees with the findings.** \(escape(disagreement))"]
        } else if analysis.verdict == .agrees {
            out += ["", "The model agrees with the top finding."]
        }
        if let root = analysis.rootCause { out += ["", "Root cause (the model's): \(escape(root))"] }
        return out
    }

    /// The earlier incidents like this one, each linked to its report in the S3 console.
    static func earlierIncidents(_ report: Report) -> [String] {
        guard let history = report.history, !history.previous.isEmpty else { return [] }
        var out = [
            "", "## Earlier incidents", "",
            "Happened \(history.count30d) \(history.count30d == 1 ? "time" : "times") in the 30 days before (same alarm, category and service):",
            "",
        ]
        for previous in history.previous {
            let target = ReportText.s3ConsoleURL(previous.reportKey, region: report.incident.region)
            out.append(
                "- \(ReportText.clock(previous.openedAt)) · `\(previous.category.rawValue)`\(previous.service.map { " · \(escape($0))" } ?? "") · [\(escape(previous.incidentId))](\(target)) `\(previous.reportKey)`"
            )
        }
        return out
    }

    static func links(_ report: Report) -> [String] {
        var out: [String] = []
        if let url = report.links.report { out.append("- [HTML report with charts](\(url))") }
        if let url = report.links.runbook, url.hasPrefix("https://") { out.append("- [Runbook](\(url))") }
        if let objects = report.links.objects { out.append("- Objects: `\(objects.json)` (json, md, html)") }
        let console = report.links.console
        if let url = console.alarm { out.append("- [Alarm in CloudWatch](\(url))") }
        if let url = console.ecsService { out.append("- [ECS service](\(url))") }
        if let url = console.logsInsights { out.append("- [Logs Insights over the window](\(url))") }
        if out.isEmpty { out.append("None.") }
        return out
    }

    // MARK: escaping

    /// Untrusted text for prose and table cells: one line, and every character that could start
    /// Markdown syntax escaped — links, images, code, emphasis, tables, HTML — while text stays
    /// readable in a terminal: `_` inside a word, `<` not opening a tag and `#` not at the start
    /// of the text mean nothing to CommonMark/GFM and are left alone.
    static func escape(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "\n", "\r", "\t": out.append(" ")
            case "\\", "`", "*", "[", "]", "|", "~":
                out.append("\\")
                out.append(character)
            case "_":
                // Intraword underscores never open or close emphasis (GFM).
                let inWord =
                    (previous?.isLetter == true || previous?.isNumber == true)
                    && (next?.isLetter == true || next?.isNumber == true)
                if !inWord { out.append("\\") }
                out.append(character)
            case "<":
                // Only `<` followed by a letter, `/`, `!` or `?` can open a tag or an autolink.
                if let next, next.isLetter || next == "/" || next == "!" || next == "?" { out.append("\\") }
                out.append(character)
            case "#", ">", "-", "+", "=":
                // Block syntax only at the start of a line.
                if index == 0 { out.append("\\") }
                out.append(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// Our own step texts: `code` spans kept, the rest escaped.
    static func escapeKeepingCode(_ text: String) -> String {
        ReportText.mapCodeSpans(text, code: { "`\($0)`" }, prose: { escape(String($0)) })
    }

    /// A code span holding `text` on one line (backticks become quotes; in tables `|` is escaped,
    /// which GitHub requires even inside code spans).
    static func code(_ text: String, inTable: Bool) -> String {
        var body = text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
        if inTable { body = body.replacingOccurrences(of: "|", with: "\\|") }
        if body.count > 300 { body = String(body.prefix(300)) + "…" }
        return "`\(body.isEmpty ? " " : body)`"
    }

    static func row(_ cells: [String]) -> String {
        "| " + cells.map { escape($0) }.joined(separator: " | ") + " |"
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e12 { return String(Int(value)) }
        return String(format: abs(value) < 10 ? "%.3f" : "%.1f", value)
    }
}

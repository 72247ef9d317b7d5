import AWSServices
import Foundation

/// The SNS message for a report: a Subject under 100 characters, a short body (severity, alarm,
/// time, top three findings, summary, links) kept far under SNS's 256 KB whatever the evidence
/// size, and the attributes subscribers filter on (`severity`, `category`, `cluster`).
public struct IncidentNotification: Sendable, Equatable, Codable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// Plain text for e-mail, SMS-free subscribers and humans.
        case text
        /// Amazon Q Developer in chat applications (formerly AWS Chatbot) custom notification JSON.
        case chatbot
    }

    public var subject: String
    public var message: String
    public var attributes: [Attribute]

    public struct Attribute: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
    }

    /// The body never grows past this (bytes), far under SNS's 262,144.
    public static let maxMessageBytes = 16_384
    static let maxLine = 300
    static let maxSummary = 1_500

    public var snsAttributes: [SNSMessageAttribute] {
        attributes.map { SNSMessageAttribute(name: $0.name, value: $0.value) }
    }

    public init(report: Report, format: Format) {
        subject = Self.subject(report)
        attributes = [
            Attribute(name: "severity", value: report.severity.rawValue),
            Attribute(
                name: "category", value: report.topFinding?.category.rawValue ?? FindingCategory.unknown.rawValue),
            Attribute(name: "cluster", value: report.evidence.ecs.cluster.flatMap { $0.isEmpty ? nil : $0 } ?? "none"),
            Attribute(name: "service", value: report.topFinding?.service.flatMap { $0.isEmpty ? nil : $0 } ?? "none"),
            // `open` for the first report, `resolved` once every alarm is back to OK.
            Attribute(name: "status", value: report.resolution == nil ? "open" : "resolved"),
        ]
        switch format {
        case .text: message = Self.text(report)
        case .chatbot: message = Self.chatbot(report)
        }
    }

    // MARK: subject

    /// `[ALARM] <alarm>: <top finding>` (`[RESOLVED] <alarm> after <duration>: …` once resolved),
    /// printable ASCII (SNS subjects must be), cut at a word boundary with `...` to at most 99
    /// characters.
    static func subject(_ report: Report) -> String {
        let alarm = report.openingAlarm?.name ?? "alarm"
        let finding = report.topFinding?.title ?? "investigated"
        let full =
            report.resolution.map {
                asciiLine("[RESOLVED] \(alarm) after \(ReportText.duration($0.durationSeconds)): \(finding)")
            } ?? asciiLine("[ALARM] \(alarm): \(finding)")
        return truncate(full, to: SNSClient.maxSubjectCharacters, ellipsis: "...")
    }

    /// One line of printable ASCII: control characters become spaces, other characters `?`.
    static func asciiLine(_ text: String) -> String {
        var out = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let character: Character
            if scalar.value >= 0x20 && scalar.value < 0x7F {
                character = Character(scalar)
            } else if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace {
                character = " "
            } else {
                character = "?"
            }
            if character == " " && lastWasSpace { continue }
            lastWasSpace = character == " "
            out.append(character)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// `text` cut to at most `limit` characters, at the last space if there is one in the last
    /// third, with `ellipsis` appended when anything was cut.
    static func truncate(_ text: String, to limit: Int, ellipsis: String = "…") -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit - ellipsis.count))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > limit * 2 / 3 {
            cut = String(cut[..<space])
        }
        return cut.trimmingCharacters(in: CharacterSet(charactersIn: " :,;.-")) + ellipsis
    }

    /// Cuts `text` to at most `limit` UTF-8 bytes on a character boundary.
    static func capBytes(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        var bytes = 0
        let marker = "\n…(cut; the full report has the rest)"
        for character in text {
            let size = character.utf8.count
            if bytes + size > limit - marker.utf8.count { break }
            out.append(character)
            bytes += size
        }
        return out + marker
    }

    // MARK: text

    static func text(_ report: Report) -> String {
        var lines: [String] = []
        let alarm = report.openingAlarm
        lines.append(
            "[\(report.severity.rawValue.uppercased())] \(alarm?.name ?? "alarm") went into ALARM at \(ReportText.clock(report.window.alarmTime))"
        )
        if let resolution = report.resolution {
            lines.append(
                "RESOLVED: every alarm back to OK at \(ReportText.clock(resolution.resolvedAt)), after \(ReportText.duration(resolution.durationSeconds))"
            )
        }
        lines.append(
            "Incident \(report.incident.id) · \(report.incident.region) · account \(report.incident.accountId)")
        if report.incident.alarms.count > 1 {
            lines.append("Correlated alarms: " + report.incident.alarms.map(\.name).joined(separator: ", "))
        }
        lines.append("")
        lines.append("Top findings:")
        for (index, finding) in report.findings.prefix(3).enumerated() {
            lines.append(
                "\(index + 1). \(truncate(finding.title, to: maxLine)) (\(finding.category.rawValue), \(ReportText.percent(finding.confidence)))"
            )
            if let attribution = finding.attribution {
                lines.append("   - \(truncate(oneLine(attribution), to: maxLine))")
            }
            for fact in finding.evidence.prefix(2) { lines.append("   - \(truncate(oneLine(fact), to: maxLine))") }
        }
        lines += ["", "Summary:", truncate(report.summary, to: maxSummary)]
        if !report.nextSteps.isEmpty {
            lines += ["", "Next steps:"]
            lines += report.nextSteps.prefix(4).map { "- \(truncate(oneLine($0), to: maxLine))" }
        }
        lines.append("")
        if let url = report.links.report {
            lines.append("Report: \(url)")
        } else if let objects = report.links.objects {
            lines.append("Report: \(objects.html)")
        }
        if let url = report.links.runbook { lines.append("Runbook: \(url)") }
        let console = report.links.console
        if let url = console.alarm { lines.append("Alarm: \(url)") }
        if let url = console.ecsService { lines.append("ECS service: \(url)") }
        if let url = console.logsInsights { lines.append("Logs Insights: \(url)") }
        if report.analysis.source != .bedrock {
            lines += [
                "",
                "Model analysis unavailable: \(truncate(report.analysis.unavailableReason ?? "not requested", to: maxLine))",
            ]
        }
        return capBytes(lines.joined(separator: "\n"), maxMessageBytes)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    // MARK: chatbot

    /// The custom-notification schema: `version` "1.0", `source` "custom", `content` with
    /// `textType` "client-markdown", `title`, `description`, `nextSteps`, `keywords`; `metadata`
    /// threads updates of one incident together.
    static func chatbot(_ report: Report) -> String {
        let alarm = report.openingAlarm
        var description: [String] = []
        description.append(
            "*\(report.severity.rawValue.uppercased())* · `\(slack(alarm?.name ?? "alarm"))` in ALARM since \(ReportText.clock(report.window.alarmTime))"
        )
        if let resolution = report.resolution {
            description.append(
                ":white_check_mark: *RESOLVED* at \(ReportText.clock(resolution.resolvedAt)), after \(ReportText.duration(resolution.durationSeconds))"
            )
        }
        description.append("")
        description.append("*Top findings*")
        for finding in report.findings.prefix(3) {
            description.append(
                "• \(slack(truncate(finding.title, to: maxLine))) (`\(finding.category.rawValue)`, \(ReportText.percent(finding.confidence)))"
                    + (finding.attribution.map { " — \(slack(truncate($0, to: maxLine)))" } ?? "")
            )
        }
        description += ["", slack(truncate(report.summary, to: maxSummary))]
        var links: [String] = []
        if let url = report.links.report { links.append("<\(url)|Full report>") }
        if let url = report.links.runbook { links.append("<\(url)|Runbook>") }
        if let url = report.links.console.alarm { links.append("<\(url)|Alarm>") }
        if let url = report.links.console.ecsService { links.append("<\(url)|ECS service>") }
        if let url = report.links.console.logsInsights { links.append("<\(url)|Logs Insights>") }
        if !links.isEmpty { description += ["", links.joined(separator: " · ")] }

        var keywords = [report.severity.rawValue]
        for category in report.findings.prefix(3).map(\.category.rawValue) where !keywords.contains(category) {
            keywords.append(category)
        }
        if let cluster = report.evidence.ecs.cluster { keywords.append(cluster) }
        if let service = report.topFinding?.service, !keywords.contains(service) { keywords.append(service) }
        let object: [String: Any] = [
            "version": "1.0",
            "source": "custom",
            "id": report.incident.id,
            "content": [
                "textType": "client-markdown",
                "title": (report.resolution == nil ? ":rotating_light: " : ":white_check_mark: ")
                    + slack(
                        truncate(
                            "[\(report.resolution == nil ? report.severity.rawValue.uppercased() : "RESOLVED")] \(alarm?.name ?? "alarm"): \(report.topFinding?.title ?? "investigated")",
                            to: 250)),
                "description": capBytes(description.joined(separator: "\n"), 12_000),
                "nextSteps": report.nextSteps.prefix(5).map { slack(truncate(oneLine($0), to: maxLine)) },
                "keywords": keywords,
            ] as [String: Any],
            "metadata": [
                "threadId": "triaged-\(report.incident.id)",
                "summary": truncate(
                    "\(alarm?.name ?? "alarm"): \(report.topFinding?.title ?? "investigated")", to: 200),
                // The same threadId for the first report and its resolution: one chat thread.
                "eventType": report.resolution == nil ? "IncidentReport" : "IncidentResolved",
                "relatedResources": report.incident.alarms.map(\.arn),
                "additionalContext": [
                    "incident": report.incident.id, "severity": report.severity.rawValue,
                    "category": report.topFinding?.category.rawValue ?? "unknown",
                    "status": report.resolution == nil ? "open" : "resolved",
                ],
            ] as [String: Any],
        ]
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            preconditionFailure("the chat notification is built from strings and arrays only")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Untrusted text for Slack/Teams markdown: `&`, `<` and `>` escaped as Slack requires, so text
    /// cannot form links or mentions.
    static func slack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

import AWSCore
import Foundation

/// `report.md`: what an on-call engineer reads first. CommonMark/GFM that also reads well as plain
/// text in a terminal. Telemetry and model text are untrusted: outside code spans every Markdown
/// metacharacter in them is escaped, so a log line cannot inject links, HTML or table cells.
public enum MarkdownRenderer {
    public static func render(_ report: Report) -> String {
        render(ReportView(report))
    }

    public static func render(_ view: ReportView) -> String {
        var out: [String] = []
        out.append("# [\(view.severity.uppercased())] \(escape(view.alarmName)): \(escape(view.headline))")
        out.append("")
        out.append(
            view.facts.map { "**\($0.label)** \($0.isCode ? code($0.value, inTable: false) : escape($0.value))" }
                .joined(separator: " · "))
        if let runbook = view.runbook { out += ["", "**Runbook** [\(escape(runbook))](\(runbook))"] }
        if !view.correlated.isEmpty {
            out += ["", "Correlated alarms: " + view.correlated.map(escape).joined(separator: ", ")]
        }
        if let reason = view.reason { out += ["", "> \(escape(reason))"] }

        out += ["", "## Summary", "", escape(view.summary)]
        if let summary = view.earlierSummary {
            out += ["", "## Earlier incidents", "", summary, ""]
            for previous in view.earlier {
                out.append(
                    "- \(previous.openedAt) · `\(previous.category)`\(previous.service.map { " · \(escape($0))" } ?? "") · [\(escape(previous.incidentId))](\(previous.consoleURL)) \(code(previous.reportKey, inTable: false))"
                )
            }
        }

        out += ["", "## Findings", ""]
        for (index, finding) in view.findings.enumerated() {
            out.append(
                "\(index + 1). **\(escape(finding.title))** — `\(finding.category)`, \(finding.confidence) (\(escape(finding.source)))"
            )
            if let attribution = finding.attribution { out.append("   - \(escape(attribution))") }
            for line in finding.evidence { out.append("   - \(escape(line))") }
        }

        if !view.nextSteps.isEmpty {
            out += ["", "## Next steps", ""]
            for (index, step) in view.nextSteps.enumerated() { out.append("\(index + 1). \(escapeKeepingCode(step))") }
        }

        out += ["", "## Evidence"]
        for table in view.tables { out += self.table(table) }

        out += ["", "## What was checked", ""]
        out += view.checked.map { "- \(escape($0))" }
        out += ["", "## Gaps", ""]
        if view.gaps.isEmpty {
            out.append("None: every source was read.")
        } else {
            out += view.gaps.map { "- **\(escape($0.source))**: \(escape($0.reason))" }
        }

        out += ["", "## Model analysis", ""]
        out += analysis(view.analysis)

        out += ["", "## Links", ""]
        if let url = view.htmlReport { out.append("- [HTML report with charts](\(url))") }
        out += view.links.map { "- [\($0.label)](\($0.url))" }
        if let key = view.objectKey { out.append("- Objects: \(code(key, inTable: false)) (json, md, html)") }
        if view.links.isEmpty && view.objectKey == nil && view.htmlReport == nil { out.append("None.") }
        out += ["", "---", escape(view.footer), ""]
        return out.joined(separator: "\n")
    }

    // MARK: sections

    static func table(_ table: ReportView.Table) -> [String] {
        var blocks: [[String]] = []
        if let lead = table.lead { blocks.append([escape(lead)]) }
        if table.rows.isEmpty {
            if !table.emptyText.isEmpty { blocks.append([escape(table.emptyText)]) }
        } else {
            var rows = [
                "| " + table.columns.map { escape($0.name) }.joined(separator: " | ") + " |",
                "|" + table.columns.map { $0.numeric ? "--:|" : "---|" }.joined(),
            ]
            for row in table.rows {
                let cells = row.map { cell in
                    switch cell {
                    case .text(let text): escape(text)
                    case .code(let text): code(text, inTable: true)
                    }
                }
                rows.append("| " + cells.joined(separator: " | ") + " |")
            }
            blocks.append(rows)
            if table.omitted > 0 { blocks.append(["…and \(table.omitted) more in report.json."]) }
        }
        for note in table.notes {
            switch note {
            case .listTitle(let text): blocks += [[escape(text)], []]
            case .item(let text): blocks[blocks.count - 1].append("- \(escape(text))")
            case .example(let text): blocks[blocks.count - 1].append("- \(code(text, inTable: false))")
            }
        }
        return ["", "### \(escape(table.title))"] + blocks.filter { !$0.isEmpty }.flatMap { [""] + $0 }
    }

    static func analysis(_ analysis: ReportView.Analysis) -> [String] {
        if let unavailable = analysis.unavailable { return [escape(unavailable)] }
        var out = ["Model `\(analysis.model ?? "?")`: \(escape(analysis.usage ?? ""))"]
        if let disagreement = analysis.disagreement {
            out += ["", "**The model disagrees with the findings.** \(escape(disagreement))"]
        } else if analysis.agrees {
            out += ["", "The model agrees with the top finding."]
        }
        if let root = analysis.rootCause { out += ["", "Root cause (the model's): \(escape(root))"] }
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
}

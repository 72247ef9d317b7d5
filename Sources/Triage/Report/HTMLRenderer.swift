import AWSCore
import Foundation

/// `report.html`: one self-contained page — inline CSS, inline SVG charts, no scripts, no external
/// fetches (a Content-Security-Policy forbids them) — readable on a phone. Every piece of text is
/// HTML-escaped; links are kept only when they are https.
public enum HTMLRenderer {
    public static func render(_ report: Report) -> String {
        let view = ReportView(report)
        let title = "[\(view.severity.uppercased())] \(view.alarmName)"
        var body: [String] = []
        body.append("<header class=\"sev-\(escape(view.severity))\">")
        body.append("<span class=\"badge\">\(escape(view.severity.uppercased()))</span>")
        body.append("<h1>\(escape(view.alarmName)): \(escape(view.headline))</h1>")
        let facts = view.facts.map { fact in
            "<b>\(escape(fact.label))</b> " + (fact.isCode ? "<code>\(escape(fact.value))</code>" : escape(fact.value))
        }
        body.append("<p class=\"facts\">\(facts.joined(separator: " · "))</p>")
        if let runbook = view.runbook {
            body.append("<p class=\"facts\"><b>Runbook</b> <a href=\"\(escape(runbook))\">\(escape(runbook))</a></p>")
        }
        if !view.correlated.isEmpty {
            body.append(
                "<p class=\"facts\">Correlated alarms: \(view.correlated.map(escape).joined(separator: ", "))</p>")
        }
        if let reason = view.reason { body.append("<p class=\"reason\">\(escape(reason))</p>") }
        body.append("</header>")

        body.append("<section><h2>Summary</h2><p>\(escape(view.summary))</p></section>")
        if let summary = view.earlierSummary {
            body.append("<section><h2>Earlier incidents</h2><p>\(escape(summary))</p><ul>")
            for previous in view.earlier {
                body.append(
                    "<li>\(escape(previous.openedAt)) · <span class=\"cat\">\(escape(previous.category))</span>\(previous.service.map { " · \(escape($0))" } ?? "") · <a href=\"\(escape(previous.consoleURL))\">\(escape(previous.incidentId))</a> <code>\(escape(previous.reportKey))</code></li>"
                )
            }
            body.append("</ul></section>")
        }

        body.append("<section><h2>Findings</h2><ol class=\"findings\">")
        for finding in view.findings {
            body.append(
                "<li><div class=\"ft\"><b>\(escape(finding.title))</b> <span class=\"cat\">\(escape(finding.category))</span> <span class=\"conf\">\(escape(finding.confidence)) · \(escape(finding.source))</span></div>"
            )
            if let attribution = finding.attribution { body.append("<div class=\"attr\">\(escape(attribution))</div>") }
            if !finding.evidence.isEmpty {
                body.append("<ul>" + finding.evidence.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
            }
            body.append("</li>")
        }
        body.append("</ol></section>")

        if !view.nextSteps.isEmpty {
            body.append(
                "<section><h2>Next steps</h2><ol>" + view.nextSteps.map { "<li>\(codeSpans($0))</li>" }.joined()
                    + "</ol></section>")
        }

        let charts = self.charts(report)
        if !charts.isEmpty {
            body.append(
                "<section><h2>Load balancer</h2><div class=\"charts\">"
                    + charts.map { "<figure>\($0)</figure>" }.joined()
                    + "</div></section>")
        }
        body.append(contentsOf: view.tables.map(table))

        body.append("<section><h2>What was checked</h2><ul>")
        body.append(view.checked.map { "<li>\(escape($0))</li>" }.joined())
        body.append("</ul>")
        if view.gaps.isEmpty {
            body.append("<p>No gaps: every source was read.</p>")
        } else {
            body.append(
                "<h3>Gaps</h3><ul>"
                    + view.gaps.map { "<li><b>\(escape($0.source))</b>: \(escape($0.reason))</li>" }.joined() + "</ul>")
        }
        body.append("</section>")

        body.append("<section><h2>Model analysis</h2>")
        let analysis = view.analysis
        if let unavailable = analysis.unavailable {
            body.append("<p>\(escape(unavailable))</p>")
        } else {
            body.append("<p>Model <code>\(escape(analysis.model ?? "?"))</code>: \(escape(analysis.usage ?? ""))</p>")
            if let disagreement = analysis.disagreement {
                body.append("<p><b>The model disagrees with the findings.</b> \(escape(disagreement))</p>")
            } else if analysis.agrees {
                body.append("<p>The model agrees with the top finding.</p>")
            }
            if let root = analysis.rootCause { body.append("<p><b>Root cause (the model's):</b> \(escape(root))</p>") }
            if let narrative = analysis.narrative {
                body.append("<details><summary>The model's answer</summary><pre>\(escape(narrative))</pre></details>")
            }
        }
        body.append("</section>")

        var links = view.links.map { "<li><a href=\"\(escape($0.url))\">\(escape($0.label))</a></li>" }
        if let key = view.objectKey { links.append("<li>Objects: <code>\(escape(key))</code> (json, md, html)</li>") }
        if !links.isEmpty { body.append("<section><h2>Links</h2><ul>\(links.joined())</ul></section>") }
        body.append("<footer>\(escape(view.footer))</footer>")

        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="referrer" content="no-referrer">
            <title>\(escape(title))</title>
            <style>\(css)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    // MARK: charts

    static func charts(_ report: Report) -> [String] {
        let series = report.evidence.metrics.series
        func line(_ id: String, _ label: String, _ color: String, dashed: Bool = false) -> SVGChart.Line? {
            guard let found = series.first(where: { $0.id == id }), !found.values.isEmpty else { return nil }
            return SVGChart.Line(
                label: label, color: color, timestamps: found.timestamps, values: found.values, dashed: dashed)
        }
        var markers = [SVGChart.Marker(label: "alarm", at: report.window.alarmTime, color: "#c0392b")]
        // Deployments within a minute of each other share one marker.
        var deployments: [(at: Date, labels: [String])] = []
        let started = report.evidence.ecs.services.flatMap { service in
            service.deployments.compactMap { deployment in
                deployment.createdAt.map { ($0, "\(service.name) r\(deployment.revision.map(String.init) ?? "?")") }
            }
        }.sorted { $0.0 < $1.0 }
        for (at, label) in started {
            if let last = deployments.last, at.timeIntervalSince(last.at) < 60 {
                deployments[deployments.count - 1].labels.append(label)
            } else {
                deployments.append((at, [label]))
            }
        }
        for group in deployments {
            markers.append(
                SVGChart.Marker(
                    label: "deploy " + group.labels.joined(separator: ", "), at: group.at, color: "#6c3fb5"))
        }
        // The alarm's threshold is drawn on the chart of the metric it watches.
        let metric = report.openingAlarm?.metric
        func threshold(for names: [String]) -> Double? {
            guard let metric, let name = metric.name, names.contains(name) else { return nil }
            return metric.threshold
        }
        var charts: [String] = []
        let errors = [line("elb5xx", "ELB 5XX", "#c0392b"), line("target5xx", "target 5XX", "#e67e22", dashed: true)]
            .compactMap { $0 }
        if !errors.isEmpty {
            charts.append(
                SVGChart(
                    title: "5XX per minute: load balancer vs targets", unit: "", start: report.window.start,
                    end: report.window.end, lines: errors,
                    threshold: threshold(for: ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]),
                    markers: markers
                ).render())
        }
        if let requests = line("requests", "requests", "#2471a3") {
            charts.append(
                SVGChart(
                    title: "Request count", unit: "", start: report.window.start, end: report.window.end,
                    lines: [requests], threshold: threshold(for: ["RequestCount"]), markers: markers
                ).render())
        }
        let latency = [line("latencyp99", "p99", "#117a65"), line("latencyp50", "p50", "#76d7c4", dashed: true)]
            .compactMap { $0 }
        if !latency.isEmpty {
            charts.append(
                SVGChart(
                    title: "Target response time", unit: "s", start: report.window.start, end: report.window.end,
                    lines: latency, threshold: threshold(for: ["TargetResponseTime"]), markers: markers
                ).render())
        }
        return charts
    }

    // MARK: tables

    static func table(_ table: ReportView.Table) -> String {
        var content = table.lead.map { "<p>\(escape($0))</p>" } ?? ""
        if table.rows.isEmpty {
            if !table.emptyText.isEmpty { content += "<p>\(escape(table.emptyText))</p>" }
        } else {
            let header = table.columns.map { "<th>\(escape($0.name))</th>" }.joined()
            let rows = table.rows.map { row in
                "<tr>"
                    + zip(table.columns, row).map { column, cell in
                        let open = column.numeric ? "<td class=\"n\">" : "<td>"
                        switch cell {
                        case .text(let text): return open + escape(text) + "</td>"
                        case .code(let text): return open + "<code>" + escape(text) + "</code></td>"
                        }
                    }.joined() + "</tr>"
            }.joined()
            content +=
                "<div class=\"scroll\"><table><thead><tr>\(header)</tr></thead><tbody>\(rows)</tbody></table></div>"
            if table.omitted > 0 { content += "<p>…and \(table.omitted) more in report.json.</p>" }
        }
        var list: [String] = []
        func closeList() {
            if !list.isEmpty { content += "<ul>" + list.joined() + "</ul>" }
            list = []
        }
        for note in table.notes {
            switch note {
            case .listTitle(let text):
                closeList()
                content += "<p>\(escape(text))</p>"
            case .item(let text): list.append("<li>\(escape(text))</li>")
            case .example(let text): list.append("<li><pre>\(escape(text))</pre></li>")
            }
        }
        closeList()
        return "<section><h2>\(escape(table.title))</h2>\(content)</section>"
    }

    // MARK: text

    /// HTML-escapes text for element content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Our own step texts: `code` spans become <code>, everything escaped.
    static func codeSpans(_ text: String) -> String {
        ReportText.mapCodeSpans(text, code: { "<code>\(escape(String($0)))</code>" }, prose: { escape(String($0)) })
    }

    static let css = """
        :root{color-scheme:light dark;--fg:#1c2833;--muted:#5d6d7e;--bg:#fff;--card:#f4f6f7;--line:#d5d8dc}
        @media (prefers-color-scheme:dark){:root{--fg:#e5e8e8;--muted:#aab7b8;--bg:#17202a;--card:#1f2a36;--line:#34495e}}
        *{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        main{max-width:980px;margin:0 auto;padding:12px}
        header{border-left:6px solid #7f8c8d;padding:4px 12px;margin-bottom:8px}
        header.sev-critical{border-color:#c0392b}header.sev-high{border-color:#e67e22}header.sev-medium{border-color:#f1c40f}
        .badge{display:inline-block;font-weight:700;font-size:12px;padding:2px 8px;border-radius:4px;background:#7f8c8d;color:#fff}
        .sev-critical .badge{background:#c0392b}.sev-high .badge{background:#d35400}.sev-medium .badge{background:#b7950b}
        h1{font-size:1.35em;margin:6px 0}h2{font-size:1.1em;border-bottom:1px solid var(--line);padding-bottom:2px;margin-top:22px}
        .facts,.reason,footer{color:var(--muted);font-size:.9em}.reason{font-style:italic}
        ol.findings>li{margin-bottom:8px}.cat{font:12px ui-monospace,monospace;background:var(--card);padding:1px 5px;border-radius:3px}.conf{color:var(--muted);font-size:.85em}.attr{font:12px ui-monospace,monospace;color:var(--muted)}
        code,pre{font:13px/1.35 ui-monospace,"DejaVu Sans Mono",monospace}code{background:var(--card);padding:0 3px;border-radius:3px;word-break:break-word}
        pre{background:var(--card);padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.88em}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}td.n{text-align:right}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:8px}figure{margin:0}svg.chart{width:100%;height:auto;background:var(--card);border-radius:6px}
        svg .grid{stroke:var(--line);stroke-width:1.5}svg .threshold{stroke:#c0392b;stroke-width:2.5;stroke-dasharray:4 5}svg .marker{stroke-width:2.5;stroke-dasharray:8 5}
        svg text{fill:var(--muted);font:18px system-ui,"DejaVu Sans",sans-serif}svg .ct{fill:var(--fg);font-weight:600;font-size:22px}svg .yl{text-anchor:end}svg .tl{fill:#c0392b}
        details summary{cursor:pointer;color:var(--muted);font-size:.85em}
        @media (max-width:600px){body{font-size:14px}main{padding:8px}th,td{padding:3px 4px}}
        """
}

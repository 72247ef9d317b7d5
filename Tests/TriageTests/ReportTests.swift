import AWSCore
import Foundation
import Logging
import Testing

@testable import Triage

@Suite("report building and rendering")
struct ReportTests {
    let secrets = ["Sup3rS3cretPw", "AKIAZ3XAMPLEKEY12345", "ops.lead@example.com"]

    func object(_ report: Report) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(report.json())) as? [String: Any])
    }

    @Test("report.json carries every key of docs/report.schema.json, nulls included, and round-trips")
    func jsonShape() throws {
        let report = ReportFixtures.report()
        let json = try object(report)
        #expect(json["schema_version"] as? Int == 1)
        for key in ["incident", "window", "summary", "findings", "analysis", "evidence", "gaps", "links"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let analysis = try #require(json["analysis"] as? [String: Any])
        #expect(analysis["source"] as? String == "rules")
        #expect(analysis["narrative"] is NSNull)
        #expect((analysis["unavailable_reason"] as? String)?.contains("ThrottlingException") == true)
        let usage = try #require(analysis["usage"] as? [String: Any])
        #expect(usage["estimated_cost_usd"] as? Double == 0)
        let links = try #require(json["links"] as? [String: Any])
        #expect(links["report"] is NSNull)
        let console = try #require(links["console"] as? [String: Any])
        #expect(
            console["alarm"] as? String
                == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/prodapp-alb-5xx"
        )
        let incident = try #require(json["incident"] as? [String: Any])
        #expect(incident["opened_at"] as? String == "2025-11-25T10:04:00.000Z")
        let evidence = try #require(json["evidence"] as? [String: Any])
        let logs = try #require(evidence["logs"] as? [String: Any])
        let patterns = try #require(logs["patterns"] as? [[String: Any]])
        #expect(patterns.first?["template"] != nil && patterns.first?["count"] as? Int == 1000)
        #expect(try Report.decoder.decode(Report.self, from: Data(report.json())) == report)
    }

    @Test("NaN and infinite metric values and thresholds are left out of the report instead of crashing it")
    func nonFiniteValues() throws {
        var evidence = ReportFixtures.evidence()
        let count = try #require(evidence.metrics.first?.values.count)
        #expect(count >= 3)
        evidence.metrics[0].values[0] = .nan
        evidence.metrics[0].values[1] = .infinity
        evidence.metrics[0].summary?.peak = -.infinity
        var alarm = ReportFixtures.alarm()
        alarm.metric?.threshold = .nan
        let report = ReportBuilder().build(
            incident: ReportFixtures.incident(), alarm: alarm, evidence: evidence,
            findings: FindingsEngine.findings(evidence), analysis: ReportFixtures.rulesAnalysis(),
            now: ReportFixtures.alarmTime.addingTimeInterval(400))
        let series = try #require(report.evidence.metrics.series.first)
        #expect(series.values.count == count - 2)
        #expect(series.timestamps.count == count - 2)
        #expect(series.values.allSatisfy { $0.isFinite })
        #expect(series.summary == nil)
        #expect(report.incident.alarms.allSatisfy { $0.metric?.threshold == nil })
        #expect(try Report.decoder.decode(Report.self, from: Data(report.json())) == report)
        _ = MarkdownRenderer.render(report)
        _ = HTMLRenderer.render(report)
    }

    @Test("no secret from the telemetry reaches report.json, report.md or report.html")
    func redaction() throws {
        let report = ReportFixtures.report()
        let outputs = [
            String(decoding: try report.json(), as: UTF8.self), MarkdownRenderer.render(report),
            HTMLRenderer.render(report),
        ]
        for output in outputs {
            for secret in secrets { #expect(!output.contains(secret), "\(secret) leaked") }
            #expect(output.contains("redacted:"))
        }
        // Turned off in the configuration, redaction is really off (the test can fail).
        let raw = ReportFixtures.report(redactor: nil)
        #expect(String(decoding: try raw.json(), as: UTF8.self).contains("Sup3rS3cretPw"))
    }

    @Test("severity: critical when a service runs none of its tasks, high while in ALARM, medium once OK")
    func severity() {
        var evidence = ReportFixtures.evidence()
        #expect(ReportBuilder.severity(evidence: evidence, resolved: false) == .high)
        #expect(ReportBuilder.severity(evidence: evidence, resolved: true) == .medium)
        evidence.ecs.services[0].running = 0
        #expect(ReportBuilder.severity(evidence: evidence, resolved: true) == .critical)
        evidence = ReportFixtures.evidence()
        evidence.targetGroups[0].targets[1].state = "draining"
        #expect(ReportBuilder.severity(evidence: evidence, resolved: false) == .critical)
    }

    @Test("findings: the rules' ranking stands; the model's findings add no rows, its verdict is recorded")
    func ranking() {
        let rules = [
            Finding(category: .badDeployment, service: "api", title: "deploy", confidence: 0.8, evidence: []),
            Finding(category: .unhealthyTargets, service: "api", title: "targets", confidence: 0.75, evidence: []),
        ]
        let model = [
            Finding(category: .badDeployment, service: "api", title: "model deploy", confidence: 0.99, evidence: []),
            Finding(category: .dependencyFailure, service: "api", title: "db", confidence: 0.8, evidence: []),
            Finding(category: .unknown, title: "?", confidence: 0.9, evidence: []),
        ]
        let ranked = ReportBuilder.rank(rules: rules, model: model)
        #expect(ranked.map(\.title) == ["deploy", "targets"])
        #expect(ranked.allSatisfy { $0.source == .rules })
        #expect(ReportBuilder.verdict(rules: rules, model: model)?.verdict == .agrees)
        // Another service, a category ranked lower, a category with no evidence, and `unknown` at the top.
        let otherService = [
            Finding(category: .badDeployment, service: "web", title: "w", confidence: 0.9, evidence: [])
        ]
        #expect(
            ReportBuilder.verdict(rules: rules, model: otherService)?.disagreement?.contains("does not support") == true
        )
        let lower = [Finding(category: .unhealthyTargets, service: "api", title: "t", confidence: 0.9, evidence: [])]
        #expect(
            ReportBuilder.verdict(rules: rules, model: lower)?.disagreement?.contains("ranks it lower (75% against 80%")
                == true)
        let unknownTop = [Finding(category: .unknown, title: "nothing", confidence: 0.2, evidence: [])]
        #expect(
            ReportBuilder.verdict(rules: unknownTop, model: model)?.disagreement?.contains("stays at unknown") == true)
        #expect(ReportBuilder.verdict(rules: rules, model: []) == nil)
        #expect(ReportBuilder.rank(rules: unknownTop, model: []).map(\.category) == [.unknown])
    }

    @Test("summary and next steps: the rules' own words, a rollback command, the model's when it agrees")
    func summaryAndSteps() {
        let report = ReportFixtures.report()
        #expect(report.summary.hasPrefix("prodapp-alb-5xx went into ALARM at 2025-11-25 10:04 UTC. Most likely: "))
        #expect(report.summary.contains("Model analysis unavailable: Bedrock ThrottlingException"))
        #expect(report.findings.first?.category == .badDeployment)
        #expect(report.analysis.verdict == nil)
        #expect(
            report.nextSteps.first?.contains(
                "aws ecs update-service --cluster prodapp-ecs-cluster --service api --task-definition api:42") == true)
        var analysis = ReportFixtures.rulesAnalysis()
        analysis.source = .bedrock
        analysis.unavailableReason = nil
        analysis.summary = "The api deployment broke its configuration."
        analysis.actions = ["Restore DB_URL in the task definition"]
        analysis.findings = [
            Finding(category: .badDeployment, service: "api", title: "config", confidence: 0.9, evidence: [])
        ]
        let modelReport = ReportFixtures.report(analysis: analysis)
        #expect(modelReport.analysis.verdict == .agrees)
        #expect(modelReport.summary == "The api deployment broke its configuration.")
        #expect(modelReport.nextSteps.first == "Restore DB_URL in the task definition")
        // A model that blames something else does not replace the rules' summary or lead the steps.
        analysis.summary = "The database is down."
        analysis.actions = ["Fail over the database"]
        analysis.findings = [
            Finding(category: .dependencyFailure, service: "web", title: "db", confidence: 0.95, evidence: [])
        ]
        let wrong = ReportFixtures.report(analysis: analysis)
        #expect(wrong.analysis.verdict == .disagrees)
        #expect(wrong.findings.first?.category == .badDeployment && wrong.findings.allSatisfy { $0.source == .rules })
        #expect(wrong.summary.hasPrefix("prodapp-alb-5xx went into ALARM at 2025-11-25 10:04 UTC. Most likely: "))
        #expect(
            wrong.summary.contains(
                "The model's diagnosis is dependency_failure of web, which the evidence does not support"))
        #expect(wrong.nextSteps.first?.contains("aws ecs update-service") == true)
        #expect(wrong.nextSteps.contains("Fail over the database"))
        #expect(MarkdownRenderer.render(wrong).contains("**The model disagrees with the findings.**"))
    }

    @Test("report.md: headline, sections, and telemetry that cannot inject links, HTML or table cells")
    func markdown() throws {
        let markdown = MarkdownRenderer.render(ReportFixtures.report())
        #expect(
            markdown.hasPrefix(
                "# [HIGH] prodapp-alb-5xx: New deployment of api (api:43) is failing since the errors began"))
        #expect(markdown.contains("   - service api · resource api:43\n"))
        for heading in [
            "## Summary", "## Findings", "## Next steps", "## Evidence", "### Metrics", "### Target health",
            "### Stopped tasks (3)", "### Top log patterns", "## What was checked", "## Gaps", "## Model analysis",
            "## Links",
        ] {
            #expect(markdown.contains("\n\(heading)\n"), "missing \(heading)")
        }
        // Outside code spans (which render literally) no tag and no link survives.
        let outsideCode = markdown.replacingOccurrences(of: "`[^`]*`", with: "", options: .regularExpression)
        #expect(outsideCode.range(of: #"(?<!\\)<[A-Za-z/!?]"#, options: .regularExpression) == nil)
        #expect(outsideCode.contains(#"\<script>x\</script>"#))
        #expect(!outsideCode.contains("](http://evil"))
        // Readable in a terminal: intraword underscores and variable markers stay as they are.
        #expect(markdown.contains("IN_PROGRESS"))
        // Every row of a table has as many unescaped cell separators as its header.
        var columns: Int?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("|") else {
                columns = nil
                continue
            }
            let separators = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let columns { #expect(separators == columns, "\(line)") } else { columns = separators }
        }
    }

    @Test("report.md and report.html show the same rows, limits and facts: one view model, two renderers")
    func oneViewModel() throws {
        var evidence = ReportFixtures.evidence(patterns: ReportView.logPatternRows + 4)
        let task = try #require(evidence.ecs.stoppedTasks.first)
        evidence.ecs.stoppedTasks = Array(repeating: task, count: ReportView.stoppedTaskRows + 5)
        let report = ReportFixtures.report(evidence: evidence)
        let view = ReportView(report)
        let markdown = MarkdownRenderer.render(report)
        let html = HTMLRenderer.render(report)
        #expect(markdown == MarkdownRenderer.render(view))
        let titles = view.tables.map(\.title)
        #expect(titles.contains("Stopped tasks (\(ReportView.stoppedTaskRows + 5))"))
        for table in view.tables {
            // The Markdown section runs from its heading to the next heading.
            let mdSection =
                try #require(markdown.components(separatedBy: "\n### \(table.title)\n").dropFirst().first)
                .components(separatedBy: "\n#").first ?? ""
            let mdRows = mdSection.split(separator: "\n").filter { $0.hasPrefix("|") }.count
            let htmlSection =
                try #require(html.components(separatedBy: "<h2>\(table.title)</h2>").dropFirst().first)
                .components(separatedBy: "</section>").first ?? ""
            let htmlRows = htmlSection.components(separatedBy: "<tr>").count - 1
            #expect(mdRows == (table.rows.isEmpty ? 0 : table.rows.count + 2), "\(table.title)")
            #expect(htmlRows == (table.rows.isEmpty ? 0 : table.rows.count + 1), "\(table.title)")
            if table.omitted > 0 {
                #expect(mdSection.contains("…and \(table.omitted) more in report.json."), "\(table.title)")
                #expect(htmlSection.contains("…and \(table.omitted) more in report.json."), "\(table.title)")
            }
        }
        #expect(view.tables.first { $0.title.hasPrefix("Stopped tasks") }?.omitted == 5)
        #expect(view.tables.first { $0.title == "Top log patterns" }?.omitted == 4)
        for fact in view.facts {
            #expect(markdown.contains("**\(fact.label)**") && html.contains("<b>\(fact.label)</b>"), "\(fact.label)")
        }
        // Both say the same revision the same way.
        #expect(markdown.contains("rev 43") && html.contains("rev 43"))
        for line in view.checked { #expect(html.contains(HTMLRenderer.escape(line)), "\(line)") }
        // The presigned link to report.html (ours, any scheme): in report.md; the page does not link itself.
        var linked = report
        linked.links.report = "http://127.0.0.1:5000/reports/r/report.html?X-Amz-Signature=abc"
        #expect(
            MarkdownRenderer.render(linked).contains(
                "- [HTML report with charts](http://127.0.0.1:5000/reports/r/report.html?X-Amz-Signature=abc)"))
        #expect(!HTMLRenderer.render(linked).contains("127.0.0.1:5000"))
    }

    @Test("report.html: self-contained, three charts with threshold and markers, escaped telemetry")
    func html() throws {
        let html = HTMLRenderer.render(ReportFixtures.report())
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        for forbidden in ["<script", "<link", "src=", "@import", "url("] {
            #expect(!html.contains(forbidden), "\(forbidden) in the page")
        }
        #expect(html.components(separatedBy: "<svg class=\"chart\"").count - 1 == 3)
        #expect(html.contains("class=\"threshold\"") && html.contains(">threshold 10</text>"))
        #expect(html.contains(">alarm</text>") && html.contains(">deploy api r43</text>"))
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt;"))
        #expect(html.contains("<meta name=\"viewport\""))
        // Every href is an https console link.
        let hrefs = html.components(separatedBy: "href=\"").dropFirst().map { $0.prefix(8) }
        #expect(!hrefs.isEmpty && hrefs.allSatisfy { $0 == "https://" })
    }

    @Test("console links: Logs Insights in the console's escaped form, partitions")
    func consoleLinks() {
        let links = ConsoleLinks(region: "eu-west-1")
        let insights = links.logsInsights(
            groups: ["/ecs/api"], start: ReportFixtures.alarmTime, end: ReportFixtures.alarmTime.addingTimeInterval(60),
            query: "fields @message")
        #expect(
            insights
                == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D~(end~'2025-11-25T10*3a05*3a00.000Z~start~'2025-11-25T10*3a04*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC~editorString~'fields*20*40message~source~(~'*2fecs*2fapi))"
        )
        #expect(ConsoleLinks(region: "cn-north-1").alarm("a b").hasPrefix("https://console.amazonaws.cn/"))
        #expect(ConsoleLinks(region: "cn-north-1").alarm("a b").hasSuffix("alarm/a%20b"))
        #expect(
            links.ecsService(cluster: "c", service: "s")
                == "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/c/services/s/health?region=eu-west-1")
    }

    @Test("S3 keys are dated by the incident's opening")
    func keys() {
        var settings = DeliverySettings()
        settings.prefix = "incidents/"
        #expect(
            settings.key(incidentId: "abc", openedAt: ReportFixtures.alarmTime, name: "report.md")
                == "incidents/2025/11/25/abc/report.md")
    }
}

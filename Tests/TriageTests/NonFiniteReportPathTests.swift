import AWSServices
import Foundation
import Testing

@testable import Triage

/// Untrusted telemetry through the whole report path: metric series with NaN, infinities, huge and
/// tiny values go through findings (facts included), the report, its JSON, Markdown and HTML (with
/// the SVG charts) and both notification formats. Seeded, so a failure names a case to replay.
@Suite("NaN, infinities and huge values through the report path")
struct NonFiniteReportPathTests {
    static let awkward: [Double] = [
        .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1e300, 4.4e23,
        .leastNonzeroMagnitude, -0.0, 0, 9.2e18, -9.2e18,
    ]

    static func value(_ generator: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return awkward.randomElement(using: &generator)!
        case 1: return Double.random(in: 0...100, using: &generator)
        case 2: return Double.random(in: -1e6...1e6, using: &generator)
        default: return Double(Int.random(in: 0...5, using: &generator))
        }
    }

    static let cases = 300

    @Test("seeded random series: no trap, valid JSON, finite chart coordinates, valid notifications")
    func randomSeries() throws {
        var generator = SeededGenerator(state: 20_261_202)
        for index in 0..<Self.cases {
            var evidence = ReportFixtures.evidence()
            for series in evidence.metrics.indices {
                evidence.metrics[series].values = evidence.metrics[series].values.map { _ in
                    Self.value(&generator)
                }
                if Bool.random(using: &generator) {
                    let metric = evidence.metrics[series]
                    evidence.metrics[series].summary = MetricsReader.summarise(
                        metric.timestamps, metric.values, alarmTime: ReportFixtures.alarmTime)
                } else {
                    evidence.metrics[series].summary?.peak = Self.value(&generator)
                }
            }
            var alarm = ReportFixtures.alarm()
            alarm.metric?.threshold = Self.value(&generator)
            try check(evidence: evidence, alarm: alarm, label: "case \(index)")
        }
    }

    @Test("every series a single awkward value", arguments: awkward)
    func uniform(value: Double) throws {
        var evidence = ReportFixtures.evidence()
        for series in evidence.metrics.indices {
            evidence.metrics[series].values = evidence.metrics[series].values.map { _ in value }
            let metric = evidence.metrics[series]
            evidence.metrics[series].summary = MetricsReader.summarise(
                metric.timestamps, metric.values, alarmTime: ReportFixtures.alarmTime)
        }
        var alarm = ReportFixtures.alarm()
        alarm.metric?.threshold = value
        try check(evidence: evidence, alarm: alarm, label: "\(value)")
    }

    func check(evidence: Evidence, alarm: AlarmEvent, label: String) throws {
        let findings = FindingsEngine.findings(evidence)
        #expect(
            findings.allSatisfy { $0.confidence.isFinite && (0...1).contains($0.confidence) },
            "\(label): confidences \(findings.map(\.confidence))")
        let report = ReportBuilder().build(
            incident: ReportFixtures.incident(), alarm: alarm, evidence: evidence, findings: findings,
            analysis: ReportFixtures.rulesAnalysis(), now: ReportFixtures.alarmTime.addingTimeInterval(400))
        let json = try report.json()
        // Valid JSON (JSONSerialization refuses NaN and infinities), and it reads back as written.
        #expect(
            (try? JSONSerialization.jsonObject(with: Data(json))) is [String: Any],
            "\(label): report.json is not a JSON object")
        #expect(try Report.decoder.decode(Report.self, from: Data(json)) == report, "\(label)")
        #expect(report.evidence.metrics.series.allSatisfy { $0.values.allSatisfy(\.isFinite) }, "\(label)")

        let markdown = MarkdownRenderer.render(report)
        #expect(!Self.hasNonFiniteWord(markdown), "\(label): Markdown prints a non-finite number")
        let html = HTMLRenderer.render(report)
        let charts = Self.svgs(in: html)
        // A chart needs one finite value; with one anywhere, there must be charts to check.
        if evidence.metrics.contains(where: { $0.values.contains(where: \.isFinite) }) {
            #expect(!charts.isEmpty, "\(label): no chart rendered")
        }
        for chart in charts {
            #expect(!Self.hasNonFiniteWord(chart), "\(label): a chart prints a non-finite number")
            for coordinate in Self.coordinates(in: chart) {
                #expect(
                    coordinate.isFinite && abs(coordinate) <= SVGChart.width * 2,
                    "\(label): chart coordinate \(coordinate) outside the drawing")
            }
        }
        for format in IncidentNotification.Format.allCases {
            let notification = IncidentNotification(report: report, format: format)
            #expect(!Self.hasNonFiniteWord(notification.message), "\(label): \(format) prints a non-finite number")
            try SNSClient.validate(
                message: notification.message, subject: notification.subject, attributes: notification.snsAttributes,
                structure: false)
        }
    }

    /// The `<svg …>…</svg>` fragments of a page.
    static func svgs(in html: String) -> [Substring] {
        var found: [Substring] = []
        var rest = html[...]
        while let open = rest.range(of: "<svg"), let close = rest[open.upperBound...].range(of: "</svg>") {
            found.append(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// Every number in the geometry attributes (x, y, x1…y2, cx, cy, width, height, points).
    static func coordinates(in svg: Substring) -> [Double] {
        let attributes = [" x=\"", " y=\"", " x1=\"", " y1=\"", " x2=\"", " y2=\"", " cx=\"", " cy=\"", " points=\""]
        var numbers: [Double] = []
        for attribute in attributes {
            var rest = svg
            while let start = rest.range(of: attribute), let end = rest[start.upperBound...].firstIndex(of: "\"") {
                let text = rest[start.upperBound..<end]
                for token in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
                    // An unparsable token (e.g. "nan") counts as a non-finite coordinate.
                    numbers.append(Double(token) ?? .nan)
                }
                rest = rest[end...]
            }
        }
        return numbers
    }

    /// "nan" or "inf" as a word, the way Swift prints non-finite Doubles.
    static func hasNonFiniteWord<S: StringProtocol>(_ text: S) -> Bool {
        let words = text.lowercased().split { !$0.isLetter }
        return words.contains { $0 == "nan" || $0 == "inf" || $0 == "infinity" }
    }
}

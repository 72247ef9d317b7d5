import AWSCore
import Foundation
import LogPatterns

/// Derived facts the findings rules share: when the rise began, 5XX peaks, new log patterns.
struct Facts {
    let evidence: Evidence
    /// When the 5XX rise began (ELB, else target), else the alarm time.
    let riseStart: Date
    let elbPeak: Double
    let targetPeak: Double

    init(_ evidence: Evidence) {
        self.evidence = evidence
        let elb = evidence.metrics.first { $0.id == "elb5xx" }?.summary
        let target = evidence.metrics.first { $0.id == "target5xx" }?.summary
        riseStart = elb?.riseStartedAt ?? target?.riseStartedAt ?? evidence.window.alarmTime
        elbPeak = elb?.peak ?? 0
        targetPeak = target?.peak ?? 0
    }

    func series(_ id: String) -> MetricSeries? {
        evidence.metrics.first { $0.id == id }
    }

    /// Peaks of a per-service metric.
    func peaks(name: String) -> [(service: String, peak: Double)] {
        evidence.metrics.filter { $0.name == name }.compactMap { series in
            series.summary.map {
                (series.dimensions["ServiceName"] ?? series.dimensions["TargetGroup"] ?? "?", $0.peak)
            }
        }
    }

    var cpuSaturated: Bool { peaks(name: "CPUUtilization").contains { $0.peak >= 90 } }

    /// Log patterns containing one of `needles` that were not already there well before the rise.
    func newPatterns(matching needles: [String]) -> [LogPattern] {
        evidence.logs.flatMap(\.patterns).filter { pattern in
            let text = pattern.template + " " + pattern.example
            guard needles.contains(where: { text.contains($0) }) else { return false }
            if let first = pattern.firstSeen.flatMap(Self.parse),
                first < riseStart.addingTimeInterval(-FindingsEngine.preexistingMargin)
            {
                return false
            }
            return true
        }
    }

    func describe(_ pattern: LogPattern) -> String {
        "log pattern seen \(pattern.count)×: \(pattern.template)"
    }

    func exitSummary(_ tasks: [StoppedTask]) -> String {
        var counts: [String: Int] = [:]
        for task in tasks {
            let container = task.containers.first { ($0.exitCode ?? 0) != 0 } ?? task.containers.first
            let text =
                "exit \(container?.exitCode.map(String.init) ?? "?")" + (container?.reason.map { " (\($0))" } ?? "")
                + (task.stopCode.map { ", \($0)" } ?? "")
            counts[text, default: 0] += 1
        }
        return counts.sorted { $0.value > $1.value }.map { "\($0.value)× \($0.key)" }.joined(separator: "; ")
    }

    func minutes(_ date: Date, before reference: Date) -> String {
        let delta = reference.timeIntervalSince(date)
        let minutes = (abs(delta) / 60).rounded().wholeNumber
        return delta >= 0 ? "\(minutes) min before" : "\(minutes) min after"
    }

    /// What was looked at, for an `unknown` finding.
    var checked: [String] {
        [
            "metrics: \(evidence.metrics.count) series", "target groups: \(evidence.targetGroups.count)",
            "ECS services: \(evidence.ecs.services.count), stopped tasks: \(evidence.ecs.stoppedTasks.count)",
            "log patterns: \(evidence.logs.reduce(0) { $0 + $1.patterns.count })",
            "failing trace segments: \(evidence.traces.failingSegments.count)",
        ] + evidence.gaps.map { "not read: \($0.source) (\($0.reason))" }
    }

    static func parse(_ text: String) -> Date? {
        AWSTimestamp.parse(text)
    }
}

extension Double {
    /// The value truncated to an `Int`, clamped to `Int`'s range (NaN is 0): metric values and
    /// other telemetry are untrusted, and `Int(_:)` traps on what does not fit.
    var wholeNumber: Int {
        guard isFinite else { return isNaN ? 0 : (self > 0 ? Int.max : Int.min) }
        if self >= 9.2e18 { return Int.max }
        if self <= -9.2e18 { return Int.min }
        return Int(self)
    }
}

import Foundation
import LogPatterns

/// Deterministic rules from evidence to ranked findings, before and independent of any model.
/// The main signals: the split of 5XX between the load balancer and the targets, deployment timing
/// against the start of the rise, exit codes, health-check reasons, classes of log patterns that
/// are new since the rise, and trace faults. Anything that was already there before the rise (an
/// old deployment, a noisy warning) does not count.
public enum FindingsEngine {
    /// A deployment counts if it started this long before the rise, or up to 2 minutes after.
    static let deploymentLead: TimeInterval = 20 * 60
    /// A log pattern first seen this long before the rise was already there: not a cause.
    static let preexistingMargin: TimeInterval = 5 * 60

    /// Ranked findings (highest confidence first); `unknown` when nothing is conclusive.
    public static func findings(_ evidence: Evidence) -> [Finding] {
        let facts = Facts(evidence)
        var findings: [Finding] = []
        findings += badDeployment(facts)
        findings += outOfMemory(facts)
        findings += containerCrash(facts, deploymentFound: findings.contains { $0.category == .badDeployment })
        findings += unhealthyTargets(facts)
        findings += dependencyFailure(facts)
        findings += capacity(facts)
        findings += throttling(facts)
        if !findings.contains(where: {
            [.dependencyFailure, .badDeployment, .outOfMemory, .containerCrash].contains($0.category)
        }) {
            findings += applicationError(facts)
        }
        findings.sort { $0.confidence > $1.confidence }
        if findings.isEmpty {
            findings.append(
                Finding(
                    category: .unknown, title: "Nothing conclusive in the collected evidence", confidence: 0.2,
                    evidence: facts.checked))
        }
        return findings
    }

    // MARK: rules

    static func badDeployment(_ f: Facts) -> [Finding] {
        var result: [Finding] = []
        for service in f.evidence.ecs.services {
            for deployment in service.deployments where deployment.status == "PRIMARY" {
                guard let created = deployment.createdAt,
                    created >= f.riseStart.addingTimeInterval(-deploymentLead),
                    created <= f.riseStart.addingTimeInterval(120)
                else { continue }
                let stoppedOfRevision = f.evidence.ecs.stoppedTasks.filter {
                    $0.service == service.name && $0.taskDefinition == deployment.taskDefinition
                }
                let failing =
                    (deployment.failedTasks ?? 0) > 0 || !stoppedOfRevision.isEmpty
                    || ["FAILED", "IN_PROGRESS"].contains(deployment.rolloutState ?? "")
                guard failing else { continue }
                var facts = [
                    "\(service.name): deployment \(deployment.id ?? "?") of revision \(deployment.revision.map(String.init) ?? "?") started \(f.minutes(created, before: f.riseStart)) the 5XX rise",
                    "\(service.name): rollout \(deployment.rolloutState ?? "unknown"), \(deployment.failedTasks ?? 0) failed tasks, \(deployment.running ?? 0) of \(deployment.desired ?? 0) running",
                ]
                if !stoppedOfRevision.isEmpty {
                    facts.append(
                        "\(stoppedOfRevision.count) tasks of the new revision stopped: \(f.exitSummary(stoppedOfRevision))"
                    )
                }
                result.append(
                    Finding(
                        category: .badDeployment,
                        title: "New revision of \(service.name) started failing as the errors began",
                        confidence: stoppedOfRevision.isEmpty ? 0.8 : 0.92, evidence: facts))
            }
        }
        return result
    }

    static func outOfMemory(_ f: Facts) -> [Finding] {
        let killed = f.evidence.ecs.stoppedTasks.filter { task in
            task.containers.contains {
                $0.exitCode == 137 || ($0.reason ?? "").localizedCaseInsensitiveContains("OutOfMemory")
            }
        }
        let patterns = f.newPatterns(matching: ["OutOfMemory", "out of memory", "OOMKilled", "Cannot allocate memory"])
        let memory = f.peaks(name: "MemoryUtilization").filter { $0.peak >= 95 }
        guard !killed.isEmpty || !patterns.isEmpty else { return [] }
        var facts: [String] = []
        if !killed.isEmpty { facts.append("\(killed.count) tasks killed: \(f.exitSummary(killed))") }
        facts += patterns.map { f.describe($0) }
        facts += memory.map { "\($0.service) memory peaked at \($0.peak.wholeNumber)%" }
        let confidence = killed.isEmpty ? 0.65 : (memory.isEmpty ? 0.88 : 0.93)
        return [
            Finding(
                category: .outOfMemory, title: "Tasks were killed for running out of memory", confidence: confidence,
                evidence: facts)
        ]
    }

    static func containerCrash(_ f: Facts, deploymentFound: Bool) -> [Finding] {
        let crashed = f.evidence.ecs.stoppedTasks.filter { task in
            task.stopCode == "TaskFailedToStart"
                || task.containers.contains { ($0.exitCode ?? 0) != 0 && $0.exitCode != 137 }
        }
        guard crashed.count >= 2 else { return [] }
        var facts = ["\(crashed.count) tasks stopped in the window: \(f.exitSummary(crashed))"]
        facts += f.newPatterns(matching: [
            "panic", "FATAL", "Traceback", "Exception", "startup failed", "failed to start",
        ])
        .prefix(3).map { f.describe($0) }
        return [
            Finding(
                category: .containerCrash, title: "Containers keep exiting with errors",
                confidence: deploymentFound ? 0.6 : 0.82, evidence: facts)
        ]
    }

    static func unhealthyTargets(_ f: Facts) -> [Finding] {
        let unhealthy = f.evidence.targetGroups.flatMap { group in
            group.targets.filter { $0.state == "unhealthy" }.map { (group.name, $0) }
        }
        let hostPeaks = f.peaks(name: "UnHealthyHostCount").filter { $0.peak > 0 }
        guard !unhealthy.isEmpty || !hostPeaks.isEmpty else { return [] }
        var facts = unhealthy.prefix(5).map { name, target in
            "target \(target.id) in \(name) is unhealthy: \(target.reason ?? "no reason") \(target.description.map { "(\($0))" } ?? "")"
        }
        if f.elbPeak > 0 && f.targetPeak < 0.2 * f.elbPeak {
            facts.append(
                "the load balancer generated the errors (ELB 5XX peak \(f.elbPeak.wholeNumber), target 5XX peak \(f.targetPeak.wholeNumber))"
            )
        }
        let confidence = unhealthy.isEmpty ? 0.6 : (f.elbPeak > 0 && f.targetPeak < 0.2 * f.elbPeak ? 0.88 : 0.75)
        return [
            Finding(
                category: .unhealthyTargets, title: "Targets are failing their health checks", confidence: confidence,
                evidence: facts)
        ]
    }

    static func dependencyFailure(_ f: Facts) -> [Finding] {
        let patterns = f.newPatterns(matching: [
            "connection refused", "Connection refused", "ECONNREFUSED", "connection reset", "ECONNRESET",
            "could not connect", "Could not connect", "unreachable", "no route to host", "broken pipe", "timed out",
            "Timeout", "timeout", "deadline exceeded",
        ])
        let downstream = f.evidence.traces.failingSegments.compactMap { segment in
            segment.downstream.map { (segment, $0) }
        }
        guard !patterns.isEmpty || !downstream.isEmpty else { return [] }
        // Timeouts alone under saturated CPU are capacity, not a dependency.
        if downstream.isEmpty, f.cpuSaturated,
            patterns.allSatisfy({ $0.template.localizedCaseInsensitiveContains("time") })
        {
            return []
        }
        var facts = patterns.prefix(3).map { f.describe($0) }
        let names = Set(downstream.map(\.1)).sorted()
        if !names.isEmpty {
            facts.append(
                "failing calls to \(names.joined(separator: ", ")) in \(downstream.count) traces"
                    + (downstream.first?.0.cause.map { ": \($0)" } ?? ""))
        }
        if f.targetPeak > 0 { facts.append("the targets answered with 5XX (peak \(f.targetPeak.wholeNumber))") }
        let title =
            names.isEmpty
            ? "A downstream dependency is refusing or timing out"
            : "Calls to \(names.joined(separator: ", ")) are failing"
        return [
            Finding(
                category: .dependencyFailure, title: title, confidence: names.isEmpty ? 0.78 : 0.9, evidence: facts)
        ]
    }

    static func capacity(_ f: Facts) -> [Finding] {
        var facts: [String] = []
        for peak in f.peaks(name: "CPUUtilization") where peak.peak >= 90 {
            facts.append("\(peak.service) CPU peaked at \(peak.peak.wholeNumber)%")
        }
        if let latency = f.series("latencyp99") ?? f.series("latencyp50"), let summary = latency.summary,
            summary.baseline > 0, summary.peak >= 3 * summary.baseline
        {
            facts.append(
                "response time rose from \(String(format: "%.2f", summary.baseline)) s to \(String(format: "%.2f", summary.peak)) s"
            )
        }
        if let timeouts = f.series("elb504")?.summary, timeouts.peak > 0 {
            facts.append("the load balancer timed out \(timeouts.peak.wholeNumber) requests a minute (504)")
        }
        // Saturation must show (CPU, latency, 504s); tasks below desired alone are a symptom of
        // crashes as much as of capacity, so they only support the finding.
        guard facts.count >= 2 || f.cpuSaturated else { return [] }
        let saturation = facts.count
        for service in f.evidence.ecs.services where service.running < service.desired {
            facts.append("\(service.name): \(service.running) of \(service.desired) tasks running")
        }
        return [
            Finding(
                category: .capacityExhaustion, title: "The service ran out of capacity",
                confidence: min(0.9, 0.6 + 0.1 * Double(saturation)), evidence: facts)
        ]
    }

    static func throttling(_ f: Facts) -> [Finding] {
        let patterns = f.newPatterns(matching: [
            "Throttl", "throttl", "Rate exceeded", "rate exceeded", "Too Many Requests", "TooManyRequests", "SlowDown",
            "429",
        ])
        guard !patterns.isEmpty else { return [] }
        return [
            Finding(
                category: .throttling, title: "Calls are being throttled", confidence: 0.72,
                evidence: patterns.prefix(3).map { f.describe($0) })
        ]
    }

    static func applicationError(_ f: Facts) -> [Finding] {
        let patterns = f.newPatterns(matching: ["Exception", "exception", "Error", "ERROR", "Traceback", "panic"])
        guard f.targetPeak > 0, !patterns.isEmpty else { return [] }
        var facts = ["the targets answered with 5XX (peak \(f.targetPeak.wholeNumber))"]
        facts += patterns.prefix(3).map { f.describe($0) }
        return [
            Finding(
                category: .applicationError, title: "The application is failing requests", confidence: 0.6,
                evidence: facts)
        ]
    }
}

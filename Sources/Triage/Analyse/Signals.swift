import Foundation
import LogPatterns

/// One piece of evidence read in its context: what it says happened, to which service, since
/// when, from which source, and how strongly it says so on its own.
struct Signal: Sendable, Equatable {
    enum Source: String, Sendable, CaseIterable {
        case metrics, targetHealth = "target health", tasks = "stopped tasks", events = "service events"
        case deployments, logs, traces
    }

    var service: String?
    var category: FindingCategory
    var source: Source
    /// When it began, if the source says.
    var onset: Date?
    /// 0…1 on its own, before corroboration.
    var strength: Double
    /// What it blames: a dependency host, an AWS API, a target group, a start error.
    var resource: String?
    /// The ECS service the resource names, when it is another one of the cluster's services.
    var pointsAt: String?
    /// Several services it may name (an internal load balancer shared by them); the one that
    /// shows its own failure is the one at fault.
    var candidates: [String] = []
    /// A dependency timeout (rather than a refusal): the caller's own slowness when it is saturated.
    var timeout = false
    /// The task definition revision failing tasks ran, for the deployment rule.
    var revisions: Set<String> = []
    /// A deployment whose rollout completed with every task running.
    var completedHealthy = false
    var fact: String
}

/// Reads the evidence into signals. Everything that was already there well before the rise is
/// left out (and listed as ruled out): an old deployment, a constant warning, an earlier crash.
struct SignalReader {
    let facts: Facts
    private(set) var ruledOut: [String] = []

    init(facts: Facts) {
        self.facts = facts
    }

    var evidence: Evidence { facts.evidence }

    /// A signal that began this long before the rise was already there.
    static let preexistingMargin: TimeInterval = 5 * 60
    /// Log patterns with fewer lines than this are noise.
    static let minPatternCount = 3

    mutating func read() -> [Signal] {
        var signals: [Signal] = []
        signals += deployments()
        signals += stoppedTasks()
        signals += targetHealth()
        signals += serviceMetrics()
        signals += serviceEvents()
        signals += logs()
        signals += traces()
        signals += serviceMap()
        return signals
    }

    private func preexisting(_ date: Date?) -> Bool {
        guard let date else { return false }
        return date < facts.riseStart.addingTimeInterval(-Self.preexistingMargin)
    }

    // MARK: deployments

    mutating func deployments() -> [Signal] {
        var signals: [Signal] = []
        for service in evidence.ecs.services {
            for deployment in service.deployments {
                guard let created = deployment.createdAt else { continue }
                let recent =
                    created >= facts.riseStart.addingTimeInterval(-FindingsEngine.deploymentLead)
                    && created <= facts.riseStart.addingTimeInterval(FindingsEngine.onsetSlack)
                let name =
                    "deployment \(deployment.id ?? "?") (revision \(deployment.revision.map(String.init) ?? "?"))"
                guard recent else {
                    if deployment.status == .primary, created < evidence.window.start {
                        ruledOut.append("\(service.name): \(name) is older than the window")
                    }
                    continue
                }
                // A deployment whose own tasks keep failing, or whose rollout failed or was rolled back.
                let failing =
                    (deployment.failedTasks ?? 0) > 0 || deployment.rolloutState == .failed
                    || (deployment.rolloutState == .inProgress && (deployment.running ?? 0) < (deployment.desired ?? 0))
                let healthy =
                    deployment.rolloutState == .completed && (deployment.failedTasks ?? 0) == 0
                    && service.running >= service.desired
                var fact =
                    "\(service.name): \(name) started \(facts.minutes(created, before: facts.riseStart)) the rise; rollout \(deployment.rolloutState ?? "unknown"), \(deployment.failedTasks ?? 0) failed tasks, \(deployment.running ?? 0) of \(deployment.desired ?? 0) running"
                if healthy { fact += " (completed and healthy)" }
                signals.append(
                    Signal(
                        service: service.name, category: .badDeployment, source: .deployments, onset: created,
                        strength: failing
                            ? FindingsEngine.failingDeployment
                            : (healthy ? FindingsEngine.healthyDeployment : FindingsEngine.recentDeployment),
                        resource: deployment.taskDefinition.map(Self.familyRevision),
                        revisions: deployment.taskDefinition.map { [$0] } ?? [], completedHealthy: healthy, fact: fact))
            }
        }
        return signals
    }

    static func familyRevision(_ taskDefinition: String) -> String {
        taskDefinition.split(separator: "/").last.map(String.init) ?? taskDefinition
    }

    // MARK: stopped tasks

    mutating func stoppedTasks() -> [Signal] {
        var grouped: [String: (category: FindingCategory, tasks: [StoppedTask], resource: String?)] = [:]
        for task in evidence.ecs.stoppedTasks {
            guard let service = task.service else { continue }
            if preexisting(task.stoppedAt) {
                ruledOut.append("\(service): a task stopped well before the rise (\(task.stopCode ?? "?"))")
                continue
            }
            guard let (category, resource) = classify(task, service: service) else { continue }
            let key = "\(service)|\(category.rawValue)"
            grouped[key, default: (category, [], resource)].tasks.append(task)
        }
        return grouped.keys.sorted().compactMap { key in
            guard let group = grouped[key], let service = group.tasks.first?.service else { return nil }
            let count = Double(group.tasks.count)
            let strength: Double
            switch group.category {
            case .outOfMemory: strength = FindingsEngine.oomKill + FindingsEngine.perExtraTask * min(3, count - 1)
            case .unhealthyTargets:
                strength = FindingsEngine.healthCheckKill + FindingsEngine.perExtraTask * min(3, count - 1)
            default:
                // One crashed task is an incident of its own only when it keeps happening.
                strength =
                    (count >= 2 ? FindingsEngine.crashLoop : FindingsEngine.singleCrash)
                    + FindingsEngine.perExtraTask * min(3, count - 2)
            }
            let what: String
            switch group.category {
            case .outOfMemory: what = "killed for memory"
            case .unhealthyTargets: what = "stopped by the load balancer's health checks"
            default: what = group.resource.map { "failed to start (\($0))" } ?? "exited with errors"
            }
            return Signal(
                service: service, category: group.category, source: .tasks,
                onset: group.tasks.compactMap(\.stoppedAt).min(), strength: strength, resource: group.resource,
                revisions: Set(group.tasks.compactMap(\.taskDefinition)),
                fact: "\(service): \(group.tasks.count) tasks \(what): \(facts.exitSummary(group.tasks))"
                    + (group.tasks.first?.stoppedReason.map { " — \($0)" } ?? "")
                    + (group.tasks.lazy.compactMap { $0.lastLines?.last }.first.map { "; last logged: \($0)" } ?? ""))
        }
    }

    /// What a stopped task says, read with its stop code, stop reason and each container's reason:
    /// exit 137 is memory only with a memory reason or the service's memory at its limit; a task
    /// the load balancer's health checks stopped is a health problem whatever its exit code; tasks
    /// the scheduler or a user stopped (scaling, deployments, Spot) are not failures.
    func classify(_ task: StoppedTask, service: String) -> (FindingCategory, String?)? {
        let reasons = ([task.stoppedReason] + task.containers.map(\.reason)).compactMap { $0 }.joined(separator: " ")
        let kind = SignalVocabulary.classify(reasons)
        if kind == .healthCheck || reasons.localizedCaseInsensitiveContains("health check") {
            return (.unhealthyTargets, nil)
        }
        if kind == .outOfMemory { return (.outOfMemory, nil) }
        if task.stopCode == "TaskFailedToStart" || kind == .startFailure {
            return (.containerCrash, Self.startError(reasons))
        }
        if ["ServiceSchedulerInitiated", "UserInitiated", "SpotInterruption", "TerminationNotice"].contains(
            task.stopCode ?? "")
        {
            return nil
        }
        // What the task logged last says why it exited when the stop reason does not.
        let last = (task.lastLines ?? []).joined(separator: " ")
        switch SignalVocabulary.classify(last) {
        case .outOfMemory: return (.outOfMemory, nil)
        case .startFailure: return (.containerCrash, Self.startError(last))
        default: break
        }
        let exits = task.containers.compactMap(\.exitCode)
        if exits.contains(137) {
            let memory = facts.series(named: "MemoryUtilization", service: service)?.summary?.peak ?? 0
            return memory >= FindingsEngine.memoryAtLimit ? (.outOfMemory, nil) : (.containerCrash, nil)
        }
        if exits.contains(where: { $0 != 0 }) || task.stopCode == "EssentialContainerExited" {
            return (.containerCrash, nil)
        }
        return nil
    }

    /// `CannotPullContainerError: pull image manifest…` → `CannotPullContainerError`.
    static func startError(_ text: String) -> String? {
        let words = text.split { !$0.isLetter && !$0.isNumber }
        return words.first { $0.hasSuffix("Error") && $0.count > 5 }.map(String.init)
            ?? (text.isEmpty ? nil : String(text.prefix(80)))
    }

    // MARK: target health and metrics

    /// The topology's target groups; evidence collected without them (configured services) falls
    /// back to the health read, matched to a service whose name the group's name contains.
    var targetGroupRefs: [TargetGroupRef] {
        if !evidence.topology.targetGroups.isEmpty { return evidence.topology.targetGroups }
        return evidence.targetGroups.map { health in
            let named = evidence.topology.services.sorted { $0.count > $1.count }.first {
                health.name.localizedCaseInsensitiveContains($0)
            }
            return TargetGroupRef(
                arn: health.arn, loadBalancer: evidence.topology.loadBalancer, services: named.map { [$0] } ?? [],
                alarmed: true)
        }
    }

    mutating func targetHealth() -> [Signal] {
        var signals: [Signal] = []
        for group in targetGroupRefs {
            let health = evidence.targetGroups.first { $0.arn == group.arn }
            let failing = health?.targets.filter(Facts.failingState) ?? []
            let series = facts.series(named: "UnHealthyHostCount", targetGroup: group)?.summary
            let peak = series?.peak ?? 0
            guard !failing.isEmpty || peak > 0 else { continue }
            let name = health?.name ?? EvidenceCollector.targetGroupName(group.arn)
            let reasons = Set(failing.compactMap { $0.reason ?? $0.description }).sorted()
            for service in group.services {
                if !failing.isEmpty {
                    let description = failing.first?.description.map { " (\($0))" } ?? ""
                    signals.append(
                        Signal(
                            service: service, category: .unhealthyTargets, source: .targetHealth,
                            onset: series?.riseStartedAt,
                            strength: FindingsEngine.unhealthyTargets
                                + (failing.count == health?.targets.count ? FindingsEngine.noHealthyTarget : 0),
                            resource: name,
                            fact:
                                "\(service): \(failing.count) of \(health?.targets.count ?? 0) targets in \(name) are unhealthy: \(reasons.joined(separator: ", "))\(description)"
                        ))
                }
                if peak > 0 {
                    signals.append(
                        Signal(
                            service: service, category: .unhealthyTargets, source: .metrics,
                            onset: series?.riseStartedAt, strength: FindingsEngine.unhealthyHostMetric, resource: name,
                            fact: "\(service): UnHealthyHostCount in \(name) peaked at \(peak.wholeNumber)"))
                }
            }
        }
        return signals
    }

    mutating func serviceMetrics() -> [Signal] {
        var signals: [Signal] = []
        for service in evidence.ecs.services.map(\.name) {
            if facts.cpuSaturated(service), let cpu = facts.series(named: "CPUUtilization", service: service)?.summary {
                signals.append(
                    Signal(
                        service: service, category: .capacityExhaustion, source: .metrics, onset: cpu.riseStartedAt,
                        strength: FindingsEngine.cpuSaturation,
                        fact: "\(service): CPU at \(cpu.peak.wholeNumber)% (baseline \(cpu.baseline.wholeNumber)%)"))
            }
            if let memory = facts.series(named: "MemoryUtilization", service: service)?.summary,
                memory.peak >= FindingsEngine.memoryAtLimit, memory.baseline < FindingsEngine.memoryAtLimit
            {
                signals.append(
                    Signal(
                        service: service, category: .outOfMemory, source: .metrics, onset: memory.riseStartedAt,
                        strength: FindingsEngine.memorySupport,
                        fact:
                            "\(service): memory rose to \(memory.peak.wholeNumber)% (baseline \(memory.baseline.wholeNumber)%)"
                    ))
            }
        }
        // Slow targets: a target group whose response time rose several-fold.
        for group in evidence.topology.targetGroups {
            guard let latency = facts.series(named: "TargetResponseTime", targetGroup: group)?.summary,
                latency.baseline > 0,
                latency.peak >= FindingsEngine.latencyRise * latency.baseline
            else { continue }
            for service in group.services {
                signals.append(
                    Signal(
                        service: service, category: .capacityExhaustion, source: .metrics, onset: latency.riseStartedAt,
                        strength: FindingsEngine.latencySupport,
                        fact:
                            "\(service): response time rose from \(String(format: "%.2f", latency.baseline)) s to \(String(format: "%.2f", latency.peak)) s"
                    ))
            }
        }
        return signals
    }

    // MARK: service events

    mutating func serviceEvents() -> [Signal] {
        var signals: [Signal] = []
        for service in evidence.ecs.services {
            var seen: Set<String> = []
            for event in service.events.reversed() {
                if preexisting(event.at) { continue }
                let text = event.message.lowercased()
                let category: FindingCategory
                let strength: Double
                if text.contains("unable to place") || text.contains("insufficient") {
                    (category, strength) = (.capacityExhaustion, FindingsEngine.placementFailure)
                } else if text.contains("is unhealthy in target-group") || text.contains("failed elb health checks") {
                    (category, strength) = (.unhealthyTargets, FindingsEngine.healthEvent)
                } else if text.contains("deployment failed") || text.contains("rolling back")
                    || text.contains("circuit breaker")
                {
                    (category, strength) = (.badDeployment, FindingsEngine.deploymentEvent)
                } else {
                    continue
                }
                guard seen.insert(category.rawValue).inserted else { continue }
                signals.append(
                    Signal(
                        service: service.name, category: category, source: .events, onset: event.at,
                        strength: strength, fact: "\(service.name) event: \(event.message)"))
            }
        }
        return signals
    }

    // MARK: logs

    mutating func logs() -> [Signal] {
        var grouped: [String: Signal] = [:]
        var order: [String] = []
        for group in evidence.logs {
            let service = group.service ?? evidence.topology.logGroups.first { $0.value == group.group }?.key
            for pattern in group.patterns where pattern.count >= Self.minPatternCount {
                let text = pattern.template + " " + pattern.example
                guard let kind = SignalVocabulary.classify(text) else { continue }
                // Below WARN a line is not a failure, whatever its words; exceptions need ERROR or worse.
                if let level = pattern.level {
                    if level < .warning { continue }
                    if kind == .applicationError && level < .error { continue }
                }
                let first = pattern.firstSeen.flatMap(Facts.parse)
                if preexisting(first) {
                    ruledOut.append(
                        "\(service ?? group.group): \"\(pattern.template.prefix(80))\" was already logged before the rise"
                    )
                    continue
                }
                let category = Self.category(kind)
                let resource = [.dependency, .throttling].contains(kind) ? SignalVocabulary.resource(in: text) : nil
                let candidates = resource.map { evidence.topology.services(forHost: $0).filter { $0 != service } } ?? []
                let pointsAt = candidates.count == 1 ? candidates.first : nil
                let key = "\(service ?? group.group)|\(category.rawValue)|\(pointsAt ?? resource ?? "")"
                let strength = Self.logStrength(kind, count: pattern.count)
                let fact = "\(service ?? group.group) logged \(pattern.count)×: \(pattern.template)"
                if var existing = grouped[key] {
                    existing.strength = max(existing.strength, strength)
                    existing.onset = [existing.onset, first].compactMap { $0 }.min()
                    grouped[key] = existing
                } else {
                    order.append(key)
                    grouped[key] = Signal(
                        service: service, category: category, source: .logs, onset: first, strength: strength,
                        resource: resource, pointsAt: pointsAt, candidates: candidates,
                        timeout: kind == .dependency && SignalVocabulary.isTimeout(text), fact: fact)
                }
            }
        }
        return order.compactMap { grouped[$0] }
    }

    static func category(_ kind: SignalKind) -> FindingCategory {
        switch kind {
        case .throttling: return .throttling
        case .outOfMemory: return .outOfMemory
        case .startFailure, .crash: return .containerCrash
        case .dependency: return .dependencyFailure
        case .saturation: return .capacityExhaustion
        case .healthCheck: return .unhealthyTargets
        case .applicationError: return .applicationError
        }
    }

    /// Stronger with more lines, on a log scale: 3 lines say little, hundreds say a lot.
    static func logStrength(_ kind: SignalKind, count: Int) -> Double {
        let base: Double
        switch kind {
        case .throttling: base = FindingsEngine.throttlingLog
        case .outOfMemory, .startFailure: base = FindingsEngine.specificLog
        case .dependency: base = FindingsEngine.dependencyLog
        case .crash: base = FindingsEngine.crashLog
        case .saturation, .healthCheck: base = FindingsEngine.supportLog
        case .applicationError: base = FindingsEngine.exceptionLog
        }
        return base + FindingsEngine.perLogDecade
            * min(2, log10(Double(max(1, count))) - log10(Double(minPatternCount)))
    }

    // MARK: traces

    mutating func traces() -> [Signal] {
        var grouped: [String: (signal: Signal, count: Int)] = [:]
        var order: [String] = []
        for segment in evidence.traces.failingSegments {
            let service = serviceNamed(segment.service)
            let causeText = [segment.cause, segment.downstream, segment.downstreamTarget].compactMap { $0 }.joined(
                separator: " ")
            var category: FindingCategory
            var resource = segment.downstream
            var pointsAt: String?
            var candidates: [String] = []
            if segment.throttled == true || SignalVocabulary.classify(causeText) == .throttling {
                category = .throttling
            } else if let downstream = segment.downstream {
                category = .dependencyFailure
                candidates = evidence.topology.services(forHost: segment.downstreamTarget ?? downstream)
                if candidates.isEmpty { candidates = evidence.topology.services(forHost: downstream) }
                candidates.removeAll { $0 == service }
                pointsAt = candidates.count == 1 ? candidates.first : nil
                resource = SignalVocabulary.resource(in: segment.downstreamTarget ?? "") ?? downstream
            } else if let kind = segment.cause.flatMap(SignalVocabulary.classify) {
                category = Self.category(kind)
                resource = nil
            } else {
                category = .applicationError
                resource = nil
            }
            if category == .unhealthyTargets { category = .applicationError }
            let key = "\(service ?? segment.service)|\(category.rawValue)|\(pointsAt ?? resource ?? "")"
            if grouped[key] == nil {
                order.append(key)
                grouped[key] = (
                    Signal(
                        service: service, category: category, source: .traces, onset: nil,
                        strength: FindingsEngine.traceBase, resource: resource, pointsAt: pointsAt,
                        candidates: candidates, timeout: SignalVocabulary.isTimeout(causeText), fact: ""),
                    0
                )
            }
            grouped[key]?.count += 1
            if grouped[key]?.signal.fact.isEmpty == true {
                let call = segment.downstream.map { " calling \($0)" } ?? ""
                grouped[key]?.signal.fact =
                    "\(service ?? segment.service)\(call): \(segment.cause ?? "fault") (status \(segment.status.map(String.init) ?? "-"))"
            }
        }
        return order.compactMap { key in
            guard var entry = grouped[key] else { return nil }
            entry.signal.strength += FindingsEngine.perTrace * Double(min(5, entry.count - 1))
            entry.signal.fact = "\(entry.count) failing traces: " + entry.signal.fact
            return entry.signal
        }
    }

    // MARK: service map

    /// Service-map edges that fail often, read as the caller's failing dependency: an edge to
    /// another ECS service points at that service (which `followDependencies` then weighs), an
    /// edge to an AWS resource or a remote host blames that resource. Throttled calls are the
    /// caller being throttled by it.
    func serviceMap() -> [Signal] {
        var signals: [Signal] = []
        for edge in evidence.traces.edges where edge.requests > 0 {
            let caller = serviceNamed(edge.caller)
            let callee = serviceNamed(edge.callee)
            // A service calling itself under an alias is no dependency.
            guard caller != nil || callee != nil, callee == nil || callee != caller else { continue }
            let throttled =
                edge.throttles >= FindingsEngine.minEdgeFailures
                && Double(edge.throttles) / Double(edge.requests) >= FindingsEngine.edgeFailureRate
            let faulting =
                edge.faults >= FindingsEngine.minEdgeFailures
                && Double(edge.faults) / Double(edge.requests) >= FindingsEngine.edgeFailureRate
            guard throttled ? caller != nil : faulting else { continue }
            let failures = throttled ? edge.throttles : edge.faults
            let kind = edge.calleeType.map { " (\($0))" } ?? ""
            let fact =
                "service map: \(edge.callee)\(kind) \(throttled ? "throttled" : "faulted on") \(failures) of \(edge.requests) calls from \(edge.caller) (\(ReportText.percent(Double(failures) / Double(edge.requests))))"
            signals.append(
                Signal(
                    service: caller, category: throttled ? .throttling : .dependencyFailure, source: .traces,
                    onset: nil,
                    strength: FindingsEngine.serviceMapEdge, resource: edge.callee, pointsAt: throttled ? nil : callee,
                    candidates: callee.map { [$0] } ?? [], fact: fact))
        }
        return signals
    }

    /// The ECS service an X-Ray segment name stands for: the service itself or one of its aliases.
    func serviceNamed(_ name: String) -> String? {
        if evidence.topology.services.contains(name) { return name }
        return evidence.topology.service(forHost: name)
    }
}

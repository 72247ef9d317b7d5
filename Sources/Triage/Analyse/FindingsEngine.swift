import Foundation
import LogPatterns

/// Deterministic reasoning from evidence to ranked findings, before and independent of any model.
///
/// Every source (deployments, stopped tasks, target health, metrics, service events, logs,
/// traces) is read into signals (`SignalReader`), each about one service and one category.
/// Signals about the same (service, category) form a hypothesis, scored on:
/// - its strongest signal, read in context (an exit code with its stop code and reasons);
/// - corroboration by independent sources;
/// - the share of the failing traffic its service's targets explain;
/// - onset: a hypothesis whose signals all began after the rise is a consequence, not a cause;
/// - the direction of dependencies: a caller's errors that name another ECS service which shows
///   its own failure are evidence for that service, not against the caller;
/// - context between categories: failures that follow a service's new deployment are that
///   deployment's; unhealthy targets of crashing tasks are the crash's; exceptions beside an
///   infrastructure cause are its symptoms.
/// Anything already there well before the rise was left out by the reader and is listed as ruled out.
public enum FindingsEngine {
    // MARK: weights and thresholds (each a judgement about evidence, shared by every scenario)

    /// A deployment counts if it started this long before the rise: rollouts take minutes and
    /// a bad revision often fails only under load.
    static let deploymentLead: TimeInterval = 20 * 60
    /// "With the rise" tolerates one-minute metric periods and clock skew between sources.
    static let onsetSlack: TimeInterval = 2 * 60
    /// A deployment whose own tasks fail or whose rollout failed: strong on its own.
    static let failingDeployment = 0.55
    /// A deployment in the lead window whose rollout is still going: possible, needs support.
    static let recentDeployment = 0.3
    /// A completed deployment with every task running is evidence against it.
    static let healthyDeployment = 0.1
    /// A rollback or deployment-failure event.
    static let deploymentEvent = 0.3
    /// Tasks killed for memory.
    static let oomKill = 0.55
    /// Tasks the load balancer stopped for failing health checks.
    static let healthCheckKill = 0.4
    /// Tasks exiting with errors, repeatedly.
    static let crashLoop = 0.5
    /// A single task exiting with an error.
    static let singleCrash = 0.25
    /// Each further stopped task of the same kind.
    static let perExtraTask = 0.04
    /// Unhealthy targets now.
    static let unhealthyTargets = 0.4
    /// Extra when a target group has no healthy target at all.
    static let noHealthyTarget = 0.1
    /// UnHealthyHostCount above zero in the window.
    static let unhealthyHostMetric = 0.3
    /// CPU this high is saturation.
    static let cpuSaturated = 90.0
    /// Points at or above `cpuSaturated` after the rise for it to count (not one spike).
    static let saturatedPoints = 2
    static let cpuSaturation = 0.4
    /// Memory this high is at the limit (ECS kills at 100 % of the hard limit).
    static let memoryAtLimit = 90.0
    static let memorySupport = 0.25
    /// A response time this many times its baseline.
    static let latencyRise = 3.0
    static let latencySupport = 0.2
    /// A placement failure event.
    static let placementFailure = 0.45
    /// A health-check event.
    static let healthEvent = 0.3
    /// Log patterns by what they say (before the per-decade bonus).
    static let throttlingLog = 0.5
    static let specificLog = 0.45
    static let dependencyLog = 0.42
    static let crashLog = 0.35
    static let supportLog = 0.2
    static let exceptionLog = 0.3
    /// Each tenfold more lines.
    static let perLogDecade = 0.06
    /// Failing traces of one kind, and each further one (up to five).
    static let traceBase = 0.35
    static let perTrace = 0.02
    /// A service-map edge whose calls fault (or are throttled) at least `edgeFailureRate` of the
    /// time, with at least `minEdgeFailures` of them: counts without a cause, so weaker than one
    /// failing trace, and the same X-Ray source as the traces (no corroboration of them).
    static let serviceMapEdge = 0.3
    static let edgeFailureRate = 0.1
    static let minEdgeFailures = 3
    /// Each independent source beyond the first, up to `maxCorroboration`.
    static let perSource = 0.08
    static let maxCorroboration = 0.24
    /// Bonus for explaining all of the failing traffic.
    static let shareWeight = 0.25
    /// A hypothesis whose every signal began after the rise followed it: its score falls
    /// linearly to `lateOnset` times over `lateSpan` past the slack.
    static let lateOnset = 0.6
    static let lateSpan: TimeInterval = 10 * 60
    /// A front service whose targets answered none of the errors when another's answered at
    /// least `otherShare` of them.
    static let noShare = 0.55
    static let otherShare = 0.3
    /// A failure explained by another hypothesis of the same service (a mechanism or a symptom).
    static let consequence = 0.7
    /// A caller's dependency errors when the dependency shows its own failure.
    static let calleeAtFault = 0.5
    /// Each source that could not be read lowers confidence a little, never below this.
    static let gapPenalty = 0.04
    static let minimumGapFactor = 0.85
    /// A hypothesis must reach this to be a cause; below, the incident is `unknown`.
    static let bar = 0.45
    /// Hypotheses below this are not reported at all.
    static let floor = 0.25
    /// Share of the failing traffic that makes one service "where the errors came from".
    static let dominantShare = 0.5

    /// Ranked findings (highest confidence first); `unknown` first when nothing clears the bar.
    public static func findings(_ evidence: Evidence) -> [Finding] {
        rank(evidence).findings
    }

    /// The scored hypotheses behind the findings, for the prompt and tests.
    struct Ranking {
        var hypotheses: [Hypothesis]
        var findings: [Finding]
        var ruledOut: [String]
    }

    struct Hypothesis: Equatable {
        var service: String?
        var category: FindingCategory
        var signals: [Signal]
        var score = 0.0
        var share = 0.0
        /// Why the score is what it is, beyond the signals.
        var notes: [String] = []
        /// Multiplied into the score: consequences and contradictions.
        var factor = 1.0

        var key: String { "\(service ?? "-")|\(category.rawValue)" }
        var onset: Date? { signals.compactMap(\.onset).min() }
        var sources: Set<Signal.Source> { Set(signals.map(\.source)) }
        var strongest: Double { signals.map(\.strength).max() ?? 0 }

        /// The resource most of its signals blame (a deployment blames its revision).
        var resource: String? {
            if category == .badDeployment, let revision = signals.first(where: { $0.source == .deployments })?.resource
            {
                return revision
            }
            var counts: [String: Int] = [:]
            for signal in signals { if let resource = signal.resource { counts[resource, default: 0] += 1 } }
            return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        }
    }

    static func rank(_ evidence: Evidence) -> Ranking {
        let facts = Facts(evidence)
        var reader = SignalReader(facts: facts)
        var signals = reader.read()
        // Timeouts of a saturated service are its own slowness.
        for index in signals.indices where signals[index].category == .dependencyFailure && signals[index].timeout {
            if let service = signals[index].service, facts.cpuSaturated(service), signals[index].pointsAt == nil {
                signals[index].category = .capacityExhaustion
                signals[index].fact += " (while its CPU was saturated)"
            }
        }
        readCrashesInContext(&signals)
        var hypotheses = group(signals)
        followDependencies(&hypotheses, facts: facts)
        attributeToDeployments(&hypotheses)
        applyContext(&hypotheses)
        score(&hypotheses, facts: facts)
        hypotheses.sort { lhs, rhs in
            lhs.score != rhs.score ? lhs.score > rhs.score : lhs.key < rhs.key
        }
        var findings = hypotheses.filter { $0.score >= floor }.prefix(6).map { finding($0, facts: facts) }
        if (hypotheses.first?.score ?? 0) < bar {
            findings.insert(unknown(facts, ruledOut: reader.ruledOut, weak: hypotheses), at: 0)
        }
        return Ranking(hypotheses: hypotheses, findings: Array(findings), ruledOut: reader.ruledOut)
    }

    // MARK: steps

    /// A crash is a process that exited: crash words in the logs of a service none of whose tasks
    /// stopped are an exception the process survived (an application error). Exits of a service
    /// that logged running out of memory, or whose memory reached its limit, are memory kills
    /// whatever their code (Node aborts with 134, the JVM may exit 1 or 3).
    static func readCrashesInContext(_ signals: inout [Signal]) {
        let exited = Set(signals.filter { $0.source == .tasks }.compactMap(\.service))
        let outOfMemory = Set(signals.filter { $0.category == .outOfMemory }.compactMap(\.service))
        for index in signals.indices where signals[index].category == .containerCrash {
            let service = signals[index].service ?? ""
            if signals[index].source == .logs, !exited.contains(service) {
                signals[index].category = .applicationError
            } else if signals[index].source == .tasks, signals[index].resource == nil, outOfMemory.contains(service) {
                signals[index].category = .outOfMemory
                signals[index].fact += " (the service ran out of memory)"
            }
        }
    }

    static func group(_ signals: [Signal]) -> [Hypothesis] {
        var result: [Hypothesis] = []
        for signal in signals {
            if let index = result.firstIndex(where: { $0.service == signal.service && $0.category == signal.category })
            {
                result[index].signals.append(signal)
            } else {
                result.append(Hypothesis(service: signal.service, category: signal.category, signals: [signal]))
            }
        }
        return result
    }

    /// A caller's dependency errors that name another ECS service: when that service shows a
    /// failure of its own, they corroborate it (and the callers' share of the errors is its);
    /// when it shows none, the dependency failure is that service's.
    static func followDependencies(_ hypotheses: inout [Hypothesis], facts: Facts) {
        // A host shared by several services names the one among them that shows its own failure.
        let failing = Set(
            hypotheses.filter { $0.category != .dependencyFailure && $0.strongest >= floor }.compactMap(\.service))
        for index in hypotheses.indices where hypotheses[index].category == .dependencyFailure {
            for signal in hypotheses[index].signals.indices where hypotheses[index].signals[signal].pointsAt == nil {
                let candidates = hypotheses[index].signals[signal].candidates.filter(failing.contains)
                if candidates.count == 1 { hypotheses[index].signals[signal].pointsAt = candidates.first }
            }
        }
        for index in hypotheses.indices where hypotheses[index].category == .dependencyFailure {
            let pointing = hypotheses[index].signals.filter { $0.pointsAt != nil }
            guard let callee = mostCommon(pointing.compactMap(\.pointsAt)) else { continue }
            let caller = hypotheses[index].service
            let own = hypotheses.indices.filter { other in
                hypotheses[other].service == callee && hypotheses[other].category != .dependencyFailure
                    && hypotheses[other].strongest >= floor
            }
            let inherited = caller.map(facts.share) ?? 0
            let corroboration = pointing.filter { $0.pointsAt == callee }.map { signal -> Signal in
                var moved = signal
                moved.service = callee
                moved.fact = "callers' errors point at \(callee): " + signal.fact
                return moved
            }
            if let target = own.max(by: { hypotheses[$0].strongest < hypotheses[$1].strongest }) {
                hypotheses[target].signals += corroboration
                hypotheses[target].share = max(hypotheses[target].share, inherited)
                hypotheses[index].factor *= calleeAtFault
                hypotheses[index].notes.append("its dependency \(callee) shows its own failure")
            } else if let existing = hypotheses.firstIndex(where: {
                $0.service == callee && $0.category == .dependencyFailure
            }) {
                hypotheses[existing].signals += corroboration
                hypotheses[existing].share = max(hypotheses[existing].share, inherited)
                hypotheses[index].signals.removeAll { $0.pointsAt == callee }
            } else {
                var moved = Hypothesis(service: callee, category: .dependencyFailure, signals: corroboration)
                moved.share = inherited
                hypotheses.append(moved)
                hypotheses[index].signals.removeAll { $0.pointsAt == callee }
            }
        }
        hypotheses.removeAll { $0.signals.isEmpty }
    }

    /// Failures of a service that began with or after its recent deployment, on the new revision,
    /// are that deployment's doing: they corroborate `bad_deployment` and count as its mechanism.
    /// A deployment whose rollout completed with every task running takes only what its code
    /// could cause (exceptions, crashes, memory): failing dependencies, throttling, saturation and
    /// health checks beside it are evidence against it, not for it.
    static func attributeToDeployments(_ hypotheses: inout [Hypothesis]) {
        let codeCaused: Set<FindingCategory> = [.applicationError, .containerCrash, .outOfMemory]
        for index in hypotheses.indices where hypotheses[index].category == .badDeployment {
            let deployments = hypotheses[index].signals.filter { $0.source == .deployments }
            guard let deployment = deployments.max(by: { $0.strength < $1.strength }), let created = deployment.onset
            else { continue }
            let healthy = deployment.completedHealthy
            let service = hypotheses[index].service
            for other in hypotheses.indices where other != index && hypotheses[other].service == service {
                guard hypotheses[other].category != .throttling else { continue }
                if healthy && !codeCaused.contains(hypotheses[other].category) { continue }
                let related = hypotheses[other].signals.filter { signal in
                    let afterDeployment = signal.onset.map { $0 >= created.addingTimeInterval(-onsetSlack) } ?? true
                    let onNewRevision =
                        signal.revisions.isEmpty || !signal.revisions.isDisjoint(with: deployment.revisions)
                    return afterDeployment && onNewRevision
                }
                guard !related.isEmpty else { continue }
                hypotheses[index].signals += related.map { signal in
                    var copy = signal
                    copy.category = .badDeployment
                    copy.strength = min(copy.strength, max(deployment.strength, recentDeployment) + perSource)
                    return copy
                }
                hypotheses[other].factor *= consequence
                hypotheses[other].notes.append("began after the service's new deployment")
            }
        }
    }

    /// Same-service context: unhealthy targets of tasks that crash or run out of memory are the
    /// crash's symptom; health checks failing beside a failing dependency are the dependency's;
    /// exceptions beside any stronger cause are its symptom; a crash beside memory kills is the kill.
    static func applyContext(_ hypotheses: inout [Hypothesis]) {
        let snapshot = hypotheses
        func strongest(_ service: String?, _ categories: Set<FindingCategory>) -> Hypothesis? {
            snapshot.filter { $0.service == service && categories.contains($0.category) }
                .max { $0.strongest < $1.strongest }
        }
        for index in hypotheses.indices {
            let hypothesis = hypotheses[index]
            let service = hypothesis.service
            switch hypothesis.category {
            case .unhealthyTargets:
                if let cause = strongest(
                    service, [.containerCrash, .outOfMemory, .dependencyFailure, .capacityExhaustion]),
                    cause.strongest >= hypothesis.strongest - perSource,
                    cause.sources.contains(.tasks) || cause.sources.contains(.logs) || cause.sources.contains(.traces)
                {
                    hypotheses[index].factor *= consequence
                    hypotheses[index].notes.append("explained by \(cause.category.rawValue) of the same service")
                }
            case .applicationError:
                if let cause = strongest(
                    service, Set(FindingCategory.allCases).subtracting([.applicationError, .unknown])),
                    cause.strongest >= floor
                {
                    hypotheses[index].factor *= consequence
                    hypotheses[index].notes.append("symptom of \(cause.category.rawValue) of the same service")
                }
            case .containerCrash:
                if let memory = strongest(service, [.outOfMemory]), memory.sources.contains(.tasks) {
                    hypotheses[index].factor *= consequence
                    hypotheses[index].notes.append("the same service's tasks were killed for memory")
                }
            case .capacityExhaustion:
                // Saturation with only supporting metrics (latency) is not capacity on its own.
                if hypothesis.signals.allSatisfy({ $0.strength <= latencySupport }) {
                    hypotheses[index].factor *= consequence
                }
            default:
                break
            }
        }
    }

    static func score(_ hypotheses: inout [Hypothesis], facts: Facts) {
        let gaps = Set(facts.evidence.gaps.map(\.source)).count
        let gapFactor = max(minimumGapFactor, 1 - gapPenalty * Double(gaps))
        for index in hypotheses.indices {
            var hypothesis = hypotheses[index]
            let ownShare = hypothesis.service.map(facts.share) ?? 0
            hypothesis.share = max(hypothesis.share, ownShare)
            let corroboration = min(maxCorroboration, perSource * Double(max(0, hypothesis.sources.count - 1)))
            var score = hypothesis.strongest + corroboration + shareWeight * hypothesis.share
            if let onset = hypothesis.onset, onset > facts.riseStart.addingTimeInterval(onsetSlack) {
                let late = min(1, onset.timeIntervalSince(facts.riseStart.addingTimeInterval(onsetSlack)) / lateSpan)
                score *= 1 - late * (1 - lateOnset)
                hypothesis.notes.append("began \(facts.minutes(onset, before: facts.riseStart)) the rise")
            }
            let role = hypothesis.service.flatMap { facts.evidence.topology.roles[$0] }
            if let service = hypothesis.service, hypothesis.share < 0.05, role == .front || role == nil,
                facts.largestOtherShare(than: service) >= otherShare
            {
                score *= noShare
                hypothesis.notes.append("its targets answered none of the failing requests")
            }
            hypothesis.score = min(0.97, max(0, score * hypothesis.factor * gapFactor))
            hypotheses[index] = hypothesis
        }
    }

    // MARK: findings

    static func finding(_ hypothesis: Hypothesis, facts: Facts) -> Finding {
        var evidence = unique(hypothesis.signals.sorted { $0.strength > $1.strength }.map(\.fact)).prefix(6).map { $0 }
        if hypothesis.share > 0 {
            evidence.append(
                "\(hypothesis.service ?? "it") explains \(ReportText.percent(hypothesis.share)) of the failing requests (\((facts.failing).wholeNumber) 5XX after the rise)"
            )
        }
        evidence += hypothesis.notes
        return Finding(
            category: hypothesis.category, service: hypothesis.service, resource: hypothesis.resource,
            title: title(hypothesis), confidence: hypothesis.score, evidence: evidence)
    }

    static func title(_ hypothesis: Hypothesis) -> String {
        let service = hypothesis.service ?? "The service"
        let resource = hypothesis.resource
        switch hypothesis.category {
        case .badDeployment:
            return "New deployment of \(service)\(resource.map { " (\($0))" } ?? "") is failing since the errors began"
        case .outOfMemory:
            return "\(service) tasks are being killed for running out of memory"
        case .containerCrash:
            if let resource, hypothesis.signals.contains(where: { $0.resource == resource && $0.source == .tasks }) {
                return "\(service) tasks fail to start: \(resource)"
            }
            return "\(service) containers keep exiting with errors"
        case .unhealthyTargets:
            return "\(service) targets are failing their health checks\(resource.map { " in \($0)" } ?? "")"
        case .dependencyFailure:
            return "\(service): calls to \(resource ?? "a dependency") are failing"
        case .capacityExhaustion:
            return "\(service) ran out of capacity"
        case .throttling:
            return "\(service) is being throttled\(resource.map { " by \($0)" } ?? "")"
        case .applicationError:
            return "\(service) is failing requests with application errors"
        case .unknown:
            return "Nothing conclusive in the collected evidence"
        }
    }

    /// The `unknown` finding: where the errors came from, what was checked, what was ruled out.
    static func unknown(_ facts: Facts, ruledOut: [String], weak: [Hypothesis]) -> Finding {
        let shares = facts.frontServices.map { ($0, facts.share(of: $0)) }.sorted { $0.1 > $1.1 }
        let source = shares.first.flatMap { $0.1 >= dominantShare ? $0.0 : nil }
        var evidence: [String] = []
        if let source {
            evidence.append(
                "the 5XX came from \(source)'s targets (\(ReportText.percent(facts.share(of: source))) of them)")
        } else if facts.failing > 0 {
            evidence.append(
                "5XX after the rise: \(facts.elbErrors.wholeNumber) generated by the load balancer, \(facts.targetErrors.wholeNumber) by targets"
            )
        }
        evidence += facts.checked
        evidence += ruledOut.prefix(5).map { "ruled out: \($0)" }
        evidence += weak.prefix(3).map {
            "too weak to call: \($0.category.rawValue) of \($0.service ?? "?") (\(ReportText.percent($0.score)))"
        }
        let title =
            source.map { "Nothing conclusive; the errors came from \($0)" }
            ?? "Nothing conclusive in the collected evidence"
        return Finding(category: .unknown, service: source, title: title, confidence: 0.2, evidence: evidence)
    }

    static func mostCommon(_ values: [String]) -> String? {
        var counts: [String: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    static func unique(_ lines: [String]) -> [String] {
        var seen: Set<String> = []
        return lines.filter { seen.insert($0).inserted }
    }
}

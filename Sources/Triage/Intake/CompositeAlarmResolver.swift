import AWSCore
import AWSServices
import Foundation
import Logging

/// A composite alarm has no metric, no dimensions and so no correlation keys: collection would be
/// blind. This finds the children that triggered it — the message's `TriggeringChildren` /
/// `reasonData.triggeringAlarms`, else the alarms its `AlarmRule` references (`ChildrenOfAlarmName`
/// when the rule is not at hand) that are in ALARM — reads them with DescribeAlarms (nested composites
/// in turn, a few levels deep, cycles cut), and gives the event the metric of the first metric alarm
/// among them (all of them for correlation) and the query of the first log alarm.
/// A failing call is logged and the event goes on unresolved: an incident is never lost for it.
///
/// The children are read where the composite lives: a composite alarm's rule can only name alarms of
/// its own account and region, so the CloudWatch client is chosen once per event from the composite's
/// ARN (`select`), and an alarm from a workload account is resolved through that account's role.
public struct CompositeAlarmResolver: Sendable {
    /// Nested composites followed this deep.
    public static let maxDepth = 3

    private let select: @Sendable (AlarmEvent) throws -> CloudWatchClient
    private let logger: Logger

    /// Reads every composite's children with `cloudWatch` (one account and region, as the poller's
    /// targets are).
    public init(cloudWatch: CloudWatchClient, logger: Logger) {
        self.init(logger: logger) { _ in cloudWatch }
    }

    /// Reads a composite's children with the client `select` gives for it (by its ARN's account and
    /// region); a `select` that throws (an account with no role) leaves the event unresolved, logged.
    public init(logger: Logger, select: @escaping @Sendable (AlarmEvent) throws -> CloudWatchClient) {
        self.select = select
        self.logger = logger
    }

    /// Whether `event` is a composite alarm going into ALARM still without a metric (an OK needs none:
    /// the tracker resolves incidents by the alarm's ARN).
    public static func needsResolution(_ event: AlarmEvent) -> Bool {
        event.state == .alarm && event.metric == nil && event.logQuery == nil
            && (event.alarmRule != nil || !event.triggeringChildren.isEmpty)
    }

    public func resolve(_ event: AlarmEvent) -> AlarmEvent {
        guard Self.needsResolution(event) else { return event }
        var event = event
        do {
            let cloudWatch = try select(event)
            var seen: Set<String> = [event.alarmName]
            var metricAlarms: [Alarm] = []
            var logAlarms: [Alarm] = []
            var pending: [(names: [String], triggered: Bool)] = [
                try childNames(
                    name: event.alarmName, rule: event.alarmRule, triggering: event.triggeringChildren,
                    cloudWatch: cloudWatch)
            ]
            for _ in 0..<Self.maxDepth {
                var next: [(names: [String], triggered: Bool)] = []
                for (names, triggered) in pending {
                    let fresh = names.filter { seen.insert($0).inserted }
                    guard !fresh.isEmpty else { continue }
                    let described = try cloudWatch.describeAlarms(names: fresh)
                    let byName = Dictionary(described.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
                    var children = fresh.compactMap { byName[$0] }
                    // From a rule: the children that are in ALARM made it fire (all, if none is).
                    if !triggered {
                        let alarming = children.filter { $0.stateValue == AlarmState.alarm.rawValue }
                        if !alarming.isEmpty { children = alarming }
                    }
                    for child in children {
                        switch child.kind {
                        case .metric: metricAlarms.append(child)
                        case .log: logAlarms.append(child)
                        case .composite:
                            next.append(
                                try childNames(
                                    name: child.name, rule: child.alarmRule, triggering: [], cloudWatch: cloudWatch))
                        }
                    }
                }
                pending = next
                if pending.isEmpty { break }
            }
            let metrics = metricAlarms.compactMap { try? AlarmMessageParser.event(from: $0).metric }
            event.metric = metrics.first
            event.childMetrics = metrics
            event.resolvedChildren = metricAlarms.map(\.name) + logAlarms.map(\.name)
            event.logQuery = logAlarms.compactMap { try? AlarmMessageParser.event(from: $0).logQuery }.first
            logger.info(
                "composite alarm resolved",
                metadata: [
                    "alarm.name": "\(event.alarmName)", "alarm.children": "\(event.resolvedChildren ?? [])",
                ])
        } catch {
            logger.warning(
                "composite alarm children not resolved; collecting without a metric",
                metadata: [
                    "alarm.name": "\(event.alarmName)", "alarm.arn": "\(event.alarmArn)", "error": "\(error)",
                ])
        }
        return event
    }

    /// The child names to read: the triggering ones, else the rule's, else `ChildrenOfAlarmName`.
    func childNames(
        name: String, rule: String?, triggering: [String], cloudWatch: CloudWatchClient
    ) throws -> (names: [String], triggered: Bool) {
        let named = triggering.compactMap(Self.alarmName(fromArn:))
        if !named.isEmpty { return (named, true) }
        let fromRule = Self.ruleChildren(rule ?? "")
        if !fromRule.isEmpty { return (fromRule, false) }
        return (try cloudWatch.describeChildren(ofComposite: name).map(\.name), false)
    }

    /// `arn:…:cloudwatch:<region>:<account>:alarm:<name>` → name (names may contain `:`).
    static func alarmName(fromArn arn: String) -> String? {
        guard let range = arn.range(of: ":alarm:") else { return arn.isEmpty ? nil : arn }
        let name = String(arn[range.upperBound...])
        return name.isEmpty ? nil : name
    }

    /// The alarms an `AlarmRule` references: `ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)` where x is a
    /// name or ARN, optionally in double quotes (quoted names may hold spaces and parentheses).
    /// In rule order, each once.
    static func ruleChildren(_ rule: String) -> [String] {
        var names: [String] = []
        var rest = Substring(rule)
        while let open = rest.firstIndex(of: "(") {
            let word = rest[..<open].reversed().prefix { $0.isLetter || $0 == "_" }
            let function = String(word.reversed())
            rest = rest[rest.index(after: open)...]
            guard ["ALARM", "OK", "INSUFFICIENT_DATA"].contains(function) else { continue }
            let body = rest.drop { $0 == " " }
            var name: Substring
            if body.first == "\"" {
                let text = body.dropFirst()
                guard let close = text.firstIndex(of: "\"") else { break }
                name = text[..<close]
                rest = text[text.index(after: close)...]
            } else {
                guard let close = body.firstIndex(of: ")") else { break }
                name = body[..<close]
                rest = body[close...]
            }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if let child = alarmName(fromArn: trimmed), !names.contains(child) { names.append(child) }
        }
        return names
    }
}

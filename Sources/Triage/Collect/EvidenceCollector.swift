import AWSCore
import AWSServices
import Dispatch
import Foundation
import LogPatterns
import Logging

/// Collects the evidence `docs/evidence.md` describes for an ALB → ECS incident: resolves the topology
/// from the alarm, then reads metrics, target health, ECS tasks, logs and traces concurrently, each
/// within a time budget. A source that fails or runs out of time becomes a gap; the rest goes on.
public struct EvidenceCollector: Sendable {
    private let route: @Sendable (AlarmEvent) throws -> CollectClients
    private let settings: CollectSettings
    private let clock: any WallClock
    private let logger: Logger

    /// Reads every alarm's evidence with `clients`.
    public init(clients: CollectClients, settings: CollectSettings, clock: any WallClock, logger: Logger) {
        self.init(route: { _ in clients }, settings: settings, clock: clock, logger: logger)
    }

    /// Reads each alarm's evidence with the clients of the alarm's account and region (the alarm
    /// ARN's): `router` makes them. An account it cannot reach is the report's one gap (`account`).
    public init(router: AccountRouter, settings: CollectSettings, clock: any WallClock, logger: Logger) {
        self.init(
            route: { alarm in try router.clients(account: alarm.accountId, region: alarm.region) }, settings: settings,
            clock: clock, logger: logger)
    }

    init(
        route: @escaping @Sendable (AlarmEvent) throws -> CollectClients, settings: CollectSettings,
        clock: any WallClock, logger: Logger
    ) {
        self.route = route
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Collects for an incident opened by `alarm`.
    public func collect(alarm: AlarmEvent) -> Evidence {
        let settings = settings.forAlarm(alarm)
        let now = clock.now()
        let alarmTime = alarm.stateChangeTime
        let window = TimeWindow(
            start: alarmTime.addingTimeInterval(-settings.windowBefore),
            end: min(alarmTime.addingTimeInterval(settings.windowAfter), max(now, alarmTime)), alarmTime: alarmTime)
        let calls = CallCounter()
        var evidence = Evidence(window: window, topology: Topology())
        let clients: CollectClients
        do {
            clients = try route(alarm)
        } catch {
            // Nothing can be read there; the incident still gets its report, saying why.
            evidence.alarmMetric = alarm.metric?.name
            evidence.gaps = [Gap(source: "account", reason: Self.describe(error))]
            logger.warning(
                "evidence not collected",
                metadata: [
                    "alarm.name": "\(alarm.alarmName)", "aws.account": "\(alarm.accountId)", "reason": "\(error)",
                ])
            return evidence
        }
        evidence.alarmMetric = alarm.metric?.name
        let context = TopologyResolver(clients: clients, settings: settings, calls: calls)
        let resolved = context.resolve(alarm: alarm, window: window)
        evidence.topology = resolved.topology
        evidence.ecs.services = resolved.services
        evidence.ecs.taskDefinitions = resolved.taskDefinitions
        evidence.gaps = resolved.gaps

        let box = CollectionBox(evidence)
        let period = max(60, (alarm.metric?.period ?? 60) / 60 * 60)
        var sources: [(String, @Sendable () throws -> Void)] = [
            (
                "cloudwatch",
                {
                    let series = try MetricsReader(reader: clients.cloudWatch, calls: calls)
                        .read(topology: resolved.topology, window: window, period: period)
                    box.write { $0.metrics = series }
                }
            ),
            (
                "elbv2",
                {
                    var groups: [TargetGroupHealth] = []
                    let arns =
                        resolved.topology.targetGroups.isEmpty
                        ? resolved.topology.targetGroupArns : resolved.topology.targetGroups.map(\.arn)
                    for arn in arns {
                        calls.add(1)
                        let health = try clients.elb.describeTargetHealth(targetGroupArn: arn)
                        groups.append(
                            TargetGroupHealth(
                                arn: arn, name: Self.targetGroupName(arn),
                                targets: health.map {
                                    TargetState(
                                        id: $0.targetId, port: $0.port, state: TargetHealthState(rawValue: $0.state),
                                        reason: $0.reason,
                                        description: $0.description)
                                }))
                    }
                    box.write { $0.targetGroups = groups }
                }
            ),
            (
                "ecs",
                {
                    var stopped = try StoppedTaskReader(reader: clients.ecs, calls: calls)
                        .read(cluster: resolved.topology.cluster, services: resolved.topology.services, window: window)
                    guard box.write({ $0.ecs.stoppedTasks = stopped }) else { return }
                    // Then what the failing ones logged last; without it the stop reasons still stand.
                    TaskLogReader(reader: clients.logs, calls: calls)
                        .addLastLines(&stopped, definitions: resolved.taskDefinitions, window: window)
                    box.write { $0.ecs.stoppedTasks = stopped }
                }
            ),
            (
                "logs",
                {
                    let groups = try LogsReaderStage(reader: clients.logs, settings: settings, calls: calls)
                        .read(groups: resolved.topology.logGroups, window: window)
                    box.write { $0.logs = groups }
                }
            ),
        ]
        if settings.tracesEnabled {
            sources.append(
                (
                    "xray",
                    {
                        let spans = SpanReader(reader: clients.logs, calls: calls, deadline: settings.sourceBudget / 2)
                        let traces = try TraceReaderStage(reader: clients.xray, calls: calls, spans: spans)
                            .read(window: window, maxTraces: settings.maxTraces)
                        box.write { evidence in
                            evidence.traces = traces
                            evidence.gaps += TraceReaderStage.gaps(traces)
                        }
                    }
                ))
        }

        let group = DispatchGroup()
        for (name, work) in sources {
            group.enter()
            DispatchQueue.global().async {
                defer {
                    box.finish(name)
                    group.leave()
                }
                do {
                    try work()
                } catch {
                    box.write { $0.gaps.append(Gap(source: name, reason: Self.describe(error))) }
                }
            }
        }
        // Sealed at the budget (or when all answered): a source still running is a gap, and
        // whatever it writes later is discarded.
        _ = group.wait(timeout: .now() + settings.sourceBudget)
        var result = box.seal(sources: sources.map(\.0)) { name in
            Gap(source: name, reason: "no answer within \(Int(settings.sourceBudget))s")
        }
        result.gaps.sort { $0.source < $1.source }
        result.apiCalls = calls.count
        logger.info(
            "evidence collected",
            metadata: [
                "alarm.name": "\(alarm.alarmName)", "evidence.api_calls": "\(result.apiCalls)",
                "evidence.gaps": "\(result.gaps.count)", "evidence.services": "\(result.topology.services.count)",
            ])
        return result
    }

    /// A gap reason: the AWS error code and operation when there is one.
    static func describe(_ error: any Error) -> String {
        if let aws = error as? AWSError {
            return "\(aws.code) on \(aws.service):\(aws.operation)" + (aws.message.isEmpty ? "" : ": \(aws.message)")
        }
        return "\(error)"
    }

    static func targetGroupName(_ arn: String) -> String {
        let parts = arn.split(separator: "/")
        return parts.count >= 2 ? String(parts[parts.count - 2]) : arn
    }
}

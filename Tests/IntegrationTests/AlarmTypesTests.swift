import AWSCore
import AWSServices
import Foundation
import InMemoryLogging
import Logging
import Testing
import Triage

/// Alarm types against the local AWS world, which answers DescribeAlarms as AWS does (only metric
/// alarms unless AlarmTypes is sent, ChildrenOfAlarmName, log alarms) and publishes composite
/// notifications with TriggeringChildren.
@Suite("alarm types against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct AlarmTypesTests {
    /// The scenario's alarms plus one of each other type, all wired to the alarm topic.
    struct Alarms {
        let scenario: LocalAWSWorld.Scenario
        let context: AWSContext
        let cloudWatch: CloudWatchClient
    }

    func query(_ context: AWSContext, _ action: String, _ values: [(String, String)]) throws -> XMLNode {
        var parameters = QueryParameters()
        for (key, value) in values { parameters.add(key, value) }
        return try context.client(for: .cloudWatch).query(action, parameters)
    }

    func setUp(_ world: LocalAWSWorld) throws -> Alarms {
        let scenario = try world.buildScenario()
        let context = try world.context()
        let apiGroup = try #require(scenario.target_groups["api"])
        let targetGroup = String(apiGroup[try #require(apiGroup.range(of: "targetgroup/")).lowerBound...])
        _ = try query(
            context, "PutMetricAlarm",
            [
                ("AlarmName", "prodapp-api-unhealthy"), ("MetricName", "UnHealthyHostCount"),
                ("Namespace", "AWS/ApplicationELB"), ("Statistic", "Maximum"), ("Period", "60"),
                ("EvaluationPeriods", "1"), ("Threshold", "1"), ("ComparisonOperator", "GreaterThanOrEqualToThreshold"),
                ("Dimensions.member.1.Name", "TargetGroup"), ("Dimensions.member.1.Value", targetGroup),
            ])
        _ = try query(
            context, "PutMetricAlarm",
            [
                ("AlarmName", "prodapp-api-cpu"), ("MetricName", "CPUUtilization"), ("Namespace", "AWS/ECS"),
                ("Statistic", "Average"), ("Period", "60"), ("EvaluationPeriods", "1"), ("Threshold", "90"),
                ("ComparisonOperator", "GreaterThanThreshold"), ("Dimensions.member.1.Name", "ClusterName"),
                ("Dimensions.member.1.Value", scenario.cluster), ("Dimensions.member.2.Name", "ServiceName"),
                ("Dimensions.member.2.Value", "api"),
            ])
        _ = try query(
            context, "PutMetricAlarm",
            [
                ("AlarmName", "prodapp-api-tasks"), ("MetricName", "RunningTaskCount"),
                ("Namespace", "ECS/ContainerInsights"), ("Statistic", "Minimum"), ("Period", "60"),
                ("EvaluationPeriods", "1"), ("Threshold", "1"), ("ComparisonOperator", "LessThanThreshold"),
                ("Dimensions.member.1.Name", "ClusterName"), ("Dimensions.member.1.Value", scenario.cluster),
                ("Dimensions.member.2.Name", "ServiceName"), ("Dimensions.member.2.Value", "api"),
            ])
        _ = try query(
            context, "PutMetricAlarm",
            [
                ("AlarmName", "prodapp-api-connection-errors"), ("MetricName", "TargetConnectionErrorCount"),
                ("Namespace", "AWS/ApplicationELB"), ("Statistic", "Sum"), ("Period", "60"),
                ("EvaluationPeriods", "1"), ("Threshold", "0"), ("ComparisonOperator", "GreaterThanThreshold"),
                ("Dimensions.member.1.Name", "TargetGroup"), ("Dimensions.member.1.Value", targetGroup),
            ])
        _ = try query(
            context, "PutCompositeAlarm",
            [
                ("AlarmName", "prodapp-health"),
                ("AlarmRule", #"ALARM(\#(scenario.alarm)) OR ALARM("prodapp-api-cpu")"#),
                ("AlarmActions.member.1", scenario.alarm_topic),
            ])
        _ = try query(
            context, "PutLogAlarm",
            [
                ("AlarmName", "prodapp-api-error-logs"),
                (
                    "ScheduledQueryConfiguration.QueryString",
                    "fields @timestamp, @message | filter @message like /ERROR/"
                ),
                ("ScheduledQueryConfiguration.LogGroupIdentifiers.member.1", try #require(scenario.log_groups["api"])),
                ("ScheduledQueryConfiguration.ScheduledQueryRoleARN", "arn:aws:iam::123456789012:role/cw-log-alarm"),
                ("ScheduledQueryConfiguration.ScheduleConfiguration.ScheduleExpression", "rate(5 minutes)"),
                ("ScheduledQueryConfiguration.ScheduleConfiguration.StartTimeOffset", "300"),
                ("ScheduledQueryConfiguration.AggregationExpression", "count(*)"), ("Threshold", "10"),
                ("ComparisonOperator", "GreaterThanThreshold"),
            ])
        return Alarms(
            scenario: scenario, context: context,
            cloudWatch: CloudWatchClient(client: try context.client(for: .cloudWatch)))
    }

    func collector(_ context: AWSContext, cluster: String?) throws -> EvidenceCollector {
        let clients = CollectClients(
            cloudWatch: CloudWatchClient(client: try context.client(for: .cloudWatch)),
            elb: ELBv2Client(client: try context.client(for: .elbv2)),
            ecs: ECSClient(client: try context.client(for: .ecs)),
            logs: CloudWatchLogsClient(client: try context.client(for: .logs)),
            xray: XRayClient(client: try context.client(for: .xray)))
        var settings = CollectSettings()
        settings.cluster = cluster
        return EvidenceCollector(
            clients: clients, settings: settings, clock: SystemWallClock(), logger: Logger(label: "t"))
    }

    @Test("DescribeAlarms lists metric, composite and log alarms; without AlarmTypes only metric ones")
    func describeAllTypes() throws {
        try LocalAWSWorld.with { world in
            let alarms = try setUp(world)
            let found = try alarms.cloudWatch.describeAlarms(prefix: "prodapp-")
            let kinds = Dictionary(found.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
            #expect(kinds["prodapp-health"] == .composite && kinds["prodapp-api-error-logs"] == .log)
            #expect(kinds["prodapp-api-cpu"] == .metric && kinds[alarms.scenario.alarm] == .metric)
            let log = try #require(found.first { $0.kind == .log })
            #expect(log.scheduledQuery?.logGroupIdentifiers == [alarms.scenario.log_groups["api"]!])
            #expect(try AlarmMessageParser.event(from: log).logQuery?.filterPattern == "?ERROR")
            // AWS's default: no AlarmTypes, metric alarms only.
            let bare = try query(alarms.context, "DescribeAlarms", [("AlarmNamePrefix", "prodapp-")])
            #expect(bare["CompositeAlarms"]?.members.isEmpty ?? true)
            #expect(bare["LogAlarms"]?.members.isEmpty ?? true)
            #expect(bare["MetricAlarms"]?.members.count == 5)
            let children = try alarms.cloudWatch.describeChildren(ofComposite: "prodapp-health")
            #expect(Set(children.map(\.name)) == [alarms.scenario.alarm, "prodapp-api-cpu"])
        }
    }

    @Test("a composite alarm's notification is collected through its triggering metric child")
    func compositeThroughQueue() throws {
        try LocalAWSWorld.with { world in
            let alarms = try setUp(world)
            // The 5XX child fires (its own notification goes to the queue too), then the composite.
            try world.fireAlarm(alarms.scenario.alarm)
            try world.fireAlarm("prodapp-health", reason: "arn:… transitioned to ALARM")
            let logs = InMemoryLogHandler()
            let logger = Logger(label: "t") { _ in logs }
            let consumer = QueueConsumer(
                sqs: SQSClient(client: try alarms.context.client(for: .sqs)), queueURL: alarms.scenario.intake_queue,
                visibilityTimeout: 30,
                composites: CompositeAlarmResolver(cloudWatch: alarms.cloudWatch, logger: logger),
                logger: logger)
            var composite: AlarmEvent?
            let deadline = Date().addingTimeInterval(20)
            while composite == nil && Date() < deadline {
                composite = try consumer.receive(wait: 1).map(\.event).first { $0.alarmName == "prodapp-health" }
            }
            let event = try #require(composite)
            #expect(event.triggeringChildren.map { $0.hasSuffix(":alarm:\(alarms.scenario.alarm)") } == [true])
            #expect(event.resolvedChildren == [alarms.scenario.alarm])
            #expect(event.metric?.dimensions["LoadBalancer"] == alarms.scenario.load_balancer)
            #expect(event.correlationKeys == ["LoadBalancer=\(alarms.scenario.load_balancer)"])

            // From the rule alone (a DescribeAlarms entry has no triggering children): the child in ALARM.
            let polled = AlarmPoller(
                cloudWatch: alarms.cloudWatch, names: ["prodapp-health"], prefixes: [], maxAge: 86_400, logger: logger)
            let fromRule = try #require(try polled.poll(now: Date()).first)
            #expect(fromRule.resolvedChildren == [alarms.scenario.alarm])
            #expect(fromRule.metric?.name == "HTTPCode_ELB_5XX_Count")

            let evidence = try collector(alarms.context, cluster: nil).collect(alarm: event)
            #expect(evidence.topology.loadBalancerArn == alarms.scenario.load_balancer_arn)
            #expect(evidence.topology.cluster == nil || evidence.topology.cluster == alarms.scenario.cluster)
        }
    }

    @Test("alarms on a target group or an ECS service find the load balancer, target groups and service")
    func topologyFromDimensions() throws {
        try LocalAWSWorld.with { world in
            let alarms = try setUp(world)
            let apiGroup = try #require(alarms.scenario.target_groups["api"])
            for name in [
                "prodapp-api-unhealthy", "prodapp-api-connection-errors", "prodapp-api-cpu", "prodapp-api-tasks",
            ] {
                let alarm = try #require(try alarms.cloudWatch.describeAlarms(names: [name]).first)
                let event = try AlarmMessageParser.event(from: alarm)
                #expect(event.metric?.dimensions["LoadBalancer"] == nil)
                // The service alarms name their cluster themselves.
                let cluster = event.metric?.dimensions["ClusterName"] == nil ? alarms.scenario.cluster : nil
                let evidence = try collector(alarms.context, cluster: cluster).collect(alarm: event)
                #expect(evidence.topology.loadBalancerArn == alarms.scenario.load_balancer_arn, "\(name)")
                #expect(evidence.topology.loadBalancer == alarms.scenario.load_balancer, "\(name)")
                #expect(evidence.topology.targetGroupArns == [apiGroup], "\(name)")
                #expect(evidence.topology.roles["api"] == .front, "\(name)")
            }
        }
    }

    @Test("a log alarm's log group and query drive the log evidence")
    func logAlarmDrivesLogs() throws {
        try LocalAWSWorld.with { world in
            let alarms = try setUp(world)
            try world.fireAlarm("prodapp-api-error-logs")
            let polled = AlarmPoller(
                cloudWatch: alarms.cloudWatch, names: ["prodapp-api-error-logs"], prefixes: [], maxAge: 86_400,
                logger: Logger(label: "t"))
            let event = try #require(try polled.poll(now: Date()).first)
            #expect(event.logQuery?.logGroups == [alarms.scenario.log_groups["api"]!])
            let evidence = try collector(alarms.context, cluster: alarms.scenario.cluster).collect(alarm: event)
            #expect(Array(evidence.topology.logGroups.values) == [alarms.scenario.log_groups["api"]!])
            #expect(evidence.logs.map(\.group) == [alarms.scenario.log_groups["api"]!])
        }
    }

    @Test("a CloudWatch configuration-change event on the queue is acknowledged, not left for the dead-letter queue")
    func configurationChangeAcknowledged() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario()
            let context = try world.context()
            let body =
                #"{"version":"0","id":"1","detail-type":"CloudWatch Alarm Configuration Change","source":"aws.cloudwatch","account":"123456789012","time":"2024-03-01T09:00:00Z","region":"us-east-1","resources":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:prodapp-alb-5xx"],"detail":{"alarmName":"prodapp-alb-5xx","operation":"update"}}"#
            let payload = try JSONSerialization.data(withJSONObject: [
                "QueueUrl": scenario.intake_queue, "MessageBody": body,
            ])
            _ = try context.client(for: .sqs).json("SendMessage", body: payload)
            let sqs = SQSClient(client: try context.client(for: .sqs))
            let logs = InMemoryLogHandler()
            let consumer = QueueConsumer(
                sqs: sqs, queueURL: scenario.intake_queue, visibilityTimeout: 30,
                logger: Logger(label: "t") { _ in logs })
            var received = 0
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                #expect(try consumer.receive(wait: 1).isEmpty)
                received = logs.entries.filter { $0.message.description.contains("not an alarm state change") }.count
                if received > 0 { break }
            }
            #expect(received == 1)
            let attributes = try sqs.queueAttributes(queueURL: scenario.intake_queue)
            #expect(attributes["ApproximateNumberOfMessages"] == "0")
            #expect(attributes["ApproximateNumberOfMessagesNotVisible"] == "0")
        }
    }
}

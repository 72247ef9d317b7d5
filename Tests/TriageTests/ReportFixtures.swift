import Foundation
import LogPatterns

@testable import Triage

/// A bad-deployment incident with every kind of evidence, secrets in its logs and Markdown/HTML
/// metacharacters in its telemetry.
enum ReportFixtures {
    static let alarmTime = Date(timeIntervalSince1970: 1_764_065_040)  // 2025-11-25T10:04:00Z
    static let arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prodapp-alb-5xx"

    static func alarm() -> AlarmEvent {
        AlarmEvent(
            alarmName: "prodapp-alb-5xx", alarmArn: arn, state: .alarm, previousState: .ok, stateChangeTime: alarmTime,
            reason: "Threshold Crossed: 1 datapoint [57.0 (25/11/25 10:03:00)] was greater than the threshold (10.0).",
            region: "eu-west-1", accountId: "123456789012",
            metric: .init(
                namespace: "AWS/ApplicationELB", name: "HTTPCode_ELB_5XX_Count", statistic: "Sum",
                dimensions: ["LoadBalancer": "app/prodapp-alb/50abc123def"], period: 60, threshold: 10,
                comparisonOperator: "GreaterThanThreshold", thresholdMetricId: nil),
            alarmRule: nil, triggeringChildren: [], source: .snsNotification, messageId: nil)
    }

    static func incident() -> IncidentTracker.Incident {
        let event = alarm()
        return IncidentTracker.Incident(
            id: event.transitionId, openedAt: alarmTime,
            alarms: [
                .init(name: event.alarmName, arn: event.alarmArn, stateChangeTime: alarmTime, reason: event.reason)
            ],
            correlationKeys: event.correlationKeys, phase: .investigating, resolvedAt: nil, updatedAt: alarmTime)
    }

    static func series(_ id: String, _ name: String, _ stat: String, _ values: [Double], dimensions: [String: String])
        -> MetricSeries
    {
        let start = alarmTime.addingTimeInterval(-Double(values.count - 5) * 60)
        let timestamps = values.indices.map { start.addingTimeInterval(Double($0) * 60) }
        return MetricSeries(
            id: id, namespace: "AWS/ApplicationELB", name: name, stat: stat, dimensions: dimensions, period: 60,
            timestamps: timestamps, values: values,
            summary: MetricsReader.summarise(timestamps, values, alarmTime: alarmTime))
    }

    static func evidence(patterns: Int = 3) -> Evidence {
        var evidence = Evidence(
            window: TimeWindow(
                start: alarmTime.addingTimeInterval(-1800), end: alarmTime.addingTimeInterval(300), alarmTime: alarmTime
            ),
            topology: Topology())
        evidence.topology.loadBalancer = "app/prodapp-alb/50abc123def"
        evidence.topology.cluster = "prodapp-ecs-cluster"
        evidence.topology.services = ["api", "web"]
        evidence.topology.logGroups = ["api": "/ecs/prodapp/api", "web": "/ecs/prodapp/web"]
        evidence.topology.servicesFrom = "target-groups"
        let lb = ["LoadBalancer": "app/prodapp-alb/50abc123def"]
        let quiet = Array(repeating: 0.0, count: 25)
        evidence.metrics = [
            series("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum", quiet + [4, 57, 80, 75, 70], dimensions: lb),
            series("target5xx", "HTTPCode_Target_5XX_Count", "Sum", quiet + [1, 3, 2, 2, 1], dimensions: lb),
            series("requests", "RequestCount", "Sum", Array(repeating: 1200.0, count: 30), dimensions: lb),
            series(
                "latencyp99", "TargetResponseTime", "p99", Array(repeating: 0.25, count: 25) + [0.4, 1.2, 1.1, 0.9, 1],
                dimensions: lb),
        ]
        evidence.targetGroups = [
            TargetGroupHealth(
                arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067",
                name: "api",
                targets: [
                    TargetState(
                        id: "10.0.1.12", port: 8080, state: "unhealthy", reason: "Target.ResponseCodeMismatch",
                        description: "Health checks failed with these codes: [502]"),
                    TargetState(id: "10.0.2.40", port: 8080, state: "healthy", reason: nil, description: nil),
                ])
        ]
        let newRevision = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:43"
        evidence.ecs.services = [
            ServiceState(
                name: "api", desired: 4, running: 1, pending: 2, taskDefinition: newRevision,
                deployments: [
                    DeploymentState(
                        id: "ecs-svc/1", status: "PRIMARY", taskDefinition: newRevision, revision: 43, desired: 4,
                        running: 1, failedTasks: 6, createdAt: alarmTime.addingTimeInterval(-300), updatedAt: alarmTime,
                        rolloutState: "IN_PROGRESS"),
                    DeploymentState(
                        id: "ecs-svc/0", status: "ACTIVE",
                        taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:42", revision: 42,
                        desired: 0, running: 0, failedTasks: 0, createdAt: alarmTime.addingTimeInterval(-86_400),
                        updatedAt: alarmTime, rolloutState: "COMPLETED"),
                ],
                events: [
                    ServiceEventRecord(
                        at: alarmTime, message: "(service api) has started 2 tasks: <script>x</script> | pipe")
                ]),
            ServiceState(
                name: "web", desired: 2, running: 2, pending: 0, taskDefinition: nil, deployments: [], events: []),
        ]
        evidence.ecs.stoppedTasks = (0..<3).map { index in
            StoppedTask(
                arn: "arn:aws:ecs:eu-west-1:123456789012:task/prodapp-ecs-cluster/\(index)abc", service: "api",
                taskDefinition: newRevision, stopCode: "EssentialContainerExited",
                stoppedReason: "Essential container in task exited",
                stoppedAt: alarmTime.addingTimeInterval(Double(-index * 60)),
                containers: [StoppedContainer(name: "api", exitCode: 1, reason: nil)])
        }
        evidence.logs = [
            LogGroupEvidence(
                group: "/ecs/prodapp/api", service: "api", linesRead: 4200, capped: false,
                patterns: (0..<patterns).map { index in
                    LogPattern(
                        id: "p\(index)",
                        template: "ERROR config: missing required property <*> [see](http://evil.example/x) |\(index)",
                        count: 1000 - index, firstSeen: "2025-11-25T10:00:00Z", lastSeen: "2025-11-25T10:08:00Z",
                        level: .error,
                        example:
                            "ERROR config: missing required property DB_URL=postgres://app:Sup3rS3cretPw@db:5432/x "
                            + "key AKIAZ3XAMPLEKEY12345 owner ops.lead@example.com `tick` <b>bold</b>")
                })
        ]
        evidence.traces.summariesRead = 25
        evidence.traces.faults = 20
        evidence.traces.failingSegments = [
            FailingSegment(
                traceId: "1-5f84c7a1-abcdef", service: "api", operation: "GET /orders", url: nil, status: 502,
                cause: "connection refused", downstream: nil)
        ]
        evidence.gaps = [Gap(source: "xray", reason: "AccessDeniedException on xray:BatchGetTraces (request id r-1)")]
        evidence.apiCalls = 21
        return evidence
    }

    static func rulesAnalysis() -> AnalysisResult {
        .rulesOnly("Bedrock ThrottlingException: Too many requests (request id abc)", modelId: "amazon.nova-lite-v1:0")
    }

    static func report(
        evidence: Evidence = evidence(), analysis: AnalysisResult = rulesAnalysis(), redactor: Redactor? = Redactor()
    ) -> Report {
        ReportBuilder(redactor: redactor).build(
            incident: incident(), alarm: alarm(), evidence: evidence, findings: FindingsEngine.findings(evidence),
            analysis: analysis, now: alarmTime.addingTimeInterval(400))
    }
}

import AWSCore
import AWSServices
import Foundation
import LogPatterns
import Testing

@testable import Triage

/// A small ALB → ECS world as evidence: a shared load balancer, one target group per front
/// service, optional downstream services, and helpers to make one of them fail in a given way.
struct WorldEvidence {
    static let alarm = Date(timeIntervalSince1970: 1_764_000_000)
    /// Minute 20 of 30: the rise.
    static let rise = alarm.addingTimeInterval(-600)
    let times = (0..<30).map { alarm.addingTimeInterval(Double(-1800 + 60 * $0)) }
    var evidence: Evidence

    init(front: [String], downstream: [String: [String]] = [:]) {
        evidence = Evidence(
            window: TimeWindow(
                start: Self.alarm.addingTimeInterval(-1800), end: Self.alarm.addingTimeInterval(300),
                alarmTime: Self.alarm),
            topology: Topology())
        evidence.alarmMetric = "HTTPCode_ELB_5XX_Count"
        evidence.topology.loadBalancer = "app/shop/1"
        evidence.topology.cluster = "shop"
        evidence.topology.services = front + downstream.keys.sorted()
        for service in front {
            evidence.topology.roles[service] = .front
            evidence.topology.aliases[service] = [service]
        }
        for (service, aliases) in downstream {
            evidence.topology.roles[service] = .downstream
            evidence.topology.aliases[service] = [service] + aliases
        }
        evidence.topology.targetGroups = front.map {
            TargetGroupRef(
                arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/\($0)/abc",
                loadBalancer: "app/shop/1",
                services: [$0], alarmed: true)
        }
        evidence.targetGroups = front.map {
            TargetGroupHealth(
                arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/\($0)/abc", name: $0,
                targets: [
                    TargetState(id: "10.0.0.1", port: 8080, state: "healthy"),
                    TargetState(id: "10.0.0.2", port: 8080, state: "healthy"),
                ])
        }
        evidence.ecs.services = evidence.topology.services.map {
            ServiceState(
                name: $0, desired: 2, running: 2, pending: 0, taskDefinition: "td/\($0):3",
                deployments: [
                    DeploymentState(
                        id: "ecs-svc/4792038861937284502", status: "PRIMARY", taskDefinition: "td/\($0):3", revision: 3,
                        desired: 2, running: 2, failedTasks: 0, createdAt: Self.alarm.addingTimeInterval(-9 * 86_400),
                        updatedAt: nil, rolloutState: "COMPLETED")
                ], events: [])
        }
        for (index, service) in evidence.topology.services.enumerated() {
            addSeries("cpu\(index)", "CPUUtilization", flat(25), service: service)
            addSeries("memory\(index)", "MemoryUtilization", flat(40), service: service)
        }
        for (index, _) in front.enumerated() {
            addSeries("tg5xx\(index)", "HTTPCode_Target_5XX_Count", flat(0), targetGroup: index)
            addSeries("unhealthy\(index)", "UnHealthyHostCount", flat(0), targetGroup: index)
            addSeries("healthy\(index)", "HealthyHostCount", flat(2), targetGroup: index)
        }
        addSeries("elb5xx", "HTTPCode_ELB_5XX_Count", flat(0))
        addSeries("target5xx", "HTTPCode_Target_5XX_Count", flat(0))
    }

    func flat(_ value: Double) -> [Double] { Array(repeating: value, count: 30) }
    /// `base` until the rise (minute 20), `peak` after.
    func step(_ base: Double, _ peak: Double, at minute: Int = 20) -> [Double] {
        (0..<30).map { $0 >= minute ? peak : base }
    }

    mutating func addSeries(
        _ id: String, _ name: String, _ values: [Double], service: String? = nil, targetGroup: Int? = nil
    ) {
        var dimensions: [String: String] = ["LoadBalancer": "app/shop/1"]
        if let service { dimensions = ["ClusterName": "shop", "ServiceName": service] }
        if let targetGroup, let dimension = evidence.topology.targetGroups[targetGroup].dimension {
            dimensions["TargetGroup"] = dimension
        }
        evidence.metrics.removeAll { $0.id == id }
        evidence.metrics.append(
            MetricSeries(
                id: id, namespace: service == nil ? "AWS/ApplicationELB" : "AWS/ECS", name: name,
                stat: "Sum", dimensions: dimensions, period: 60, timestamps: times, values: values,
                summary: MetricsReader.summarise(times, values, alarmTime: Self.alarm)))
    }

    /// The failing traffic: ELB-generated and per-service target 5XX from the rise on.
    mutating func errors(elb: Double = 0, targets: [String: Double] = [:]) {
        addSeries("elb5xx", "HTTPCode_ELB_5XX_Count", step(0, elb))
        addSeries("target5xx", "HTTPCode_Target_5XX_Count", step(0, targets.values.reduce(0, +)))
        for (index, group) in evidence.topology.targetGroups.enumerated() {
            addSeries(
                "tg5xx\(index)", "HTTPCode_Target_5XX_Count", step(0, targets[group.services[0]] ?? 0),
                targetGroup: index)
        }
    }

    mutating func log(
        _ service: String, _ template: String, count: Int = 120, from: Date = rise, level: LogLevel? = .error
    ) {
        let pattern = LogPattern(
            id: "p\(evidence.logs.count)", template: template, count: count, firstSeen: AWSTimestamp.format(from),
            lastSeen: AWSTimestamp.format(Self.alarm), level: level, example: template)
        if let index = evidence.logs.firstIndex(where: { $0.service == service }) {
            evidence.logs[index].patterns.append(pattern)
        } else {
            evidence.logs.append(
                LogGroupEvidence(
                    group: "/ecs/\(service)", service: service, linesRead: count, capped: false, patterns: [pattern]))
        }
    }

    mutating func stopped(
        _ service: String, count: Int = 3, exitCode: Int = 1, reason: String? = nil,
        stopCode: String = "EssentialContainerExited", stoppedReason: String = "Essential container in task exited",
        revision: Int = 3, from: Date = rise
    ) {
        for index in 0..<count {
            evidence.ecs.stoppedTasks.append(
                StoppedTask(
                    arn: "arn:aws:ecs:us-east-1:123456789012:task/shop/\(service)\(evidence.ecs.stoppedTasks.count)",
                    service: service, taskDefinition: "td/\(service):\(revision)", stopCode: stopCode,
                    stoppedReason: stoppedReason, stoppedAt: from.addingTimeInterval(Double(index * 60)),
                    containers: [StoppedContainer(name: service, exitCode: exitCode, reason: reason)]))
        }
    }

    mutating func deploy(
        _ service: String, minutesBeforeRise: Double, rollout: RolloutState, failed: Int = 0, running: Int = 2
    ) {
        guard let index = evidence.ecs.services.firstIndex(where: { $0.name == service }) else {
            Issue.record("the fixture has no ECS service \(service): the scenario would test nothing")
            return
        }
        evidence.ecs.services[index].deployments[0].status = "ACTIVE"
        evidence.ecs.services[index].deployments.insert(
            DeploymentState(
                id: "ecs-svc/1111111111111111111", status: "PRIMARY", taskDefinition: "td/\(service):4", revision: 4,
                desired: 2, running: running, failedTasks: failed,
                createdAt: Self.rise.addingTimeInterval(-60 * minutesBeforeRise), updatedAt: nil, rolloutState: rollout),
            at: 0)
        evidence.ecs.services[index].running = running
        evidence.ecs.services[index].taskDefinition = "td/\(service):4"
    }

    mutating func unhealthy(_ service: String, reason: String = "Target.ResponseCodeMismatch") {
        guard let index = evidence.targetGroups.firstIndex(where: { $0.name == service }) else {
            Issue.record("the fixture has no target group \(service): the scenario would test nothing")
            return
        }
        for target in evidence.targetGroups[index].targets.indices {
            evidence.targetGroups[index].targets[target].state = "unhealthy"
            evidence.targetGroups[index].targets[target].reason = reason
        }
        addSeries("unhealthy\(index)", "UnHealthyHostCount", step(0, 2), targetGroup: index)
        addSeries("healthy\(index)", "HealthyHostCount", step(2, 0), targetGroup: index)
    }

    func top() -> Finding? { FindingsEngine.findings(evidence).first }
}

@Suite("hypotheses scored on evidence")
struct HypothesisTests {
    @Test("a shared load balancer: the service whose targets answer the 5XX is the one named")
    func attributionByShare() {
        var world = WorldEvidence(front: ["web", "checkout", "search"])
        world.errors(targets: ["checkout": 60])
        world.log("checkout", "ERROR java.lang.IllegalStateException: cart <*> has no currency")
        world.log("search", "WARN slow query took <*> ms", level: .warning)
        let top = world.top()
        #expect(top?.category == .applicationError)
        #expect(top?.service == "checkout")
        #expect(top?.title.contains("checkout") == true)
        #expect(top?.evidence.contains { $0.contains("100% of the failing requests") } == true)
    }

    @Test("throttling across AWS services and HTTP 429 is throttling, never a failing dependency")
    func throttlingVocabulary() {
        for message in [
            "ERROR ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded",
            "ERROR botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the PutMetricData operation: Rate exceeded",
            "ERROR software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException: Rate exceeded for shard",
            "error: request to https://api.partner.example/v1/quotes failed, status code: 429 Too Many Requests",
            "ERROR S3 PutObject failed: SlowDown: Please reduce your request rate",
            "ERROR RequestLimitExceeded: Request limit exceeded.",
        ] {
            var world = WorldEvidence(front: ["ledger"])
            world.errors(targets: ["ledger": 40])
            world.log("ledger", message)
            let top = world.top()
            #expect(top?.category == .throttling, "\(message)")
            #expect(top?.service == "ledger")
        }
    }

    @Test("a caller's errors that name a downstream ECS service with its own failure blame that service")
    func downstreamAtFault() {
        var world = WorldEvidence(front: ["storefront"], downstream: ["inventory": ["inventory.shop.local"]])
        world.errors(targets: ["storefront": 80])
        world.log(
            "storefront",
            "ERROR GET http://inventory.shop.local:8080/stock failed: connect ECONNREFUSED 10.0.3.4:8080")
        world.stopped("inventory", count: 4, exitCode: 2)
        world.log("inventory", "panic: runtime error: invalid memory address or nil pointer dereference")
        let findings = FindingsEngine.findings(world.evidence)
        #expect(findings.first?.category == .containerCrash)
        #expect(findings.first?.service == "inventory")
        #expect(findings.first?.evidence.contains { $0.hasPrefix("callers' errors point at inventory") } == true)
        // The caller's dependency errors stay, ranked below, as the symptom they are.
        let caller = findings.first { $0.service == "storefront" }
        #expect((caller?.confidence ?? 0) < (findings.first?.confidence ?? 0))
    }

    @Test("an internal load balancer shared by two services: the one that shows its own failure is at fault")
    func sharedInternalBalancer() {
        let balancer = "internal-core-1520683361.us-east-1.elb.amazonaws.com"
        var world = WorldEvidence(front: ["bff"], downstream: ["graph": ["core"], "profile": ["core"]])
        world.errors(targets: ["bff": 60])
        world.log(
            "bff", "ERROR upstream connect error or disconnect/reset before headers calling http://\(balancer)/me")
        world.stopped("profile", count: 5, exitCode: 1)
        let top = world.top()
        #expect(top?.category == .containerCrash)
        #expect(top?.service == "profile")
        #expect(world.evidence.topology.services(forHost: balancer) == ["graph", "profile"])
    }

    @Test("calls to a downstream ECS service that shows no failure of its own: a dependency failure of that service")
    func downstreamWithoutOwnFailure() {
        var world = WorldEvidence(front: ["storefront"], downstream: ["pricing": ["pricing.shop.local"]])
        world.errors(targets: ["storefront": 50])
        world.log("storefront", "ERROR upstream request timeout calling http://pricing.shop.local:9000/quote")
        let top = world.top()
        #expect(top?.category == .dependencyFailure)
        #expect(top?.service == "pricing")
    }

    @Test("a database outage: the caller's dependency failure, naming the host")
    func databaseOutage() {
        var world = WorldEvidence(front: ["billing", "web"])
        world.errors(targets: ["billing": 70])
        world.log(
            "billing",
            "ERROR psycopg2.OperationalError: could not connect to server: Connection refused Is the server running on host \"billing-db.cluster-abc.us-east-1.rds.amazonaws.com\" port 5432?"
        )
        let top = world.top()
        #expect(top?.category == .dependencyFailure)
        #expect(top?.service == "billing")
        #expect(top?.resource?.contains("rds.amazonaws.com") == true)
    }

    @Test("a failing new deployment owns the crashes of its revision")
    func failingDeployment() {
        var world = WorldEvidence(front: ["orders"])
        world.errors(elb: 60)
        world.deploy("orders", minutesBeforeRise: 4, rollout: "IN_PROGRESS", failed: 5, running: 0)
        world.stopped("orders", count: 5, exitCode: 1, revision: 4)
        world.log("orders", "ERROR Application run failed: Could not resolve placeholder 'PAYMENT_URL'")
        let findings = FindingsEngine.findings(world.evidence)
        #expect(findings.first?.category == .badDeployment)
        #expect(findings.first?.service == "orders")
        #expect(findings.first?.resource == "orders:4")
        let crash = findings.first { $0.category == .containerCrash }
        #expect((crash?.confidence ?? 0) < (findings.first?.confidence ?? 1))
    }

    @Test("a completed, healthy deployment is evidence against itself: the new dependency errors win")
    func healthyDeploymentIsARedHerring() {
        var world = WorldEvidence(front: ["orders"])
        world.errors(targets: ["orders": 40])
        world.deploy("orders", minutesBeforeRise: 12, rollout: "COMPLETED")
        world.log(
            "orders",
            "ERROR redis.exceptions.ConnectionError: Error 111 connecting to cache.shop.internal:6379. Connection refused."
        )
        let top = world.top()
        #expect(top?.category == .dependencyFailure)
        #expect(top?.service == "orders")
    }

    @Test("tasks crashing on the old revision before a deployment are a crash, not the deployment")
    func crashPredatesDeployment() {
        var world = WorldEvidence(front: ["orders"])
        world.errors(elb: 50)
        world.stopped("orders", count: 4, exitCode: 139, revision: 3, from: WorldEvidence.rise.addingTimeInterval(-120))
        world.deploy("orders", minutesBeforeRise: -1, rollout: "IN_PROGRESS", failed: 0, running: 1)
        let top = world.top()
        #expect(top?.category == .containerCrash)
        #expect(top?.service == "orders")
    }

    @Test("exit 137 is read with its stop reason: health-check kills are unhealthy targets, memory kills are memory")
    func exitCodeInContext() {
        var world = WorldEvidence(front: ["api"])
        world.errors(elb: 40)
        world.unhealthy("api", reason: "Target.Timeout")
        world.stopped(
            "api", count: 3, exitCode: 137, stopCode: "ServiceSchedulerInitiated",
            stoppedReason:
                "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/abc)"
        )
        #expect(world.top()?.category == .unhealthyTargets)
        #expect(world.top()?.service == "api")

        var memory = WorldEvidence(front: ["api"])
        memory.errors(elb: 40)
        memory.stopped("api", count: 3, exitCode: 137)
        memory.addSeries("memory0", "MemoryUtilization", memory.step(55, 98), service: "api")
        #expect(memory.top()?.category == .outOfMemory)
        #expect(memory.top()?.service == "api")
    }

    @Test("out of memory in every runtime")
    func outOfMemoryVocabulary() {
        for message in [
            "Exception in thread \"http-nio-8080-exec-3\" java.lang.OutOfMemoryError: Java heap space",
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            "ERROR MemoryError",
            "fatal error: runtime: out of memory",
            "Unhandled exception. System.OutOfMemoryException: Insufficient memory to continue the execution of the program.",
        ] {
            var world = WorldEvidence(front: ["render"])
            world.errors(elb: 30)
            world.stopped("render", count: 2, exitCode: 137)
            world.log("render", message, level: .critical)
            #expect(world.top()?.category == .outOfMemory, "\(message)")
        }
    }

    @Test("start failures are container crashes naming the ECS error")
    func startFailure() {
        var world = WorldEvidence(front: ["auth"])
        world.errors(elb: 45)
        world.stopped(
            "auth", count: 4, exitCode: 0, stopCode: "TaskFailedToStart",
            stoppedReason:
                "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm"
        )
        let top = world.top()
        #expect(top?.category == .containerCrash)
        #expect(top?.service == "auth")
        #expect(top?.title.contains("ResourceInitializationError") == true)
    }

    @Test("timeouts of a saturated service are capacity, timeouts of a healthy one a dependency")
    func timeoutsInContext() {
        var world = WorldEvidence(front: ["api"])
        world.errors(elb: 30, targets: ["api": 10])
        world.addSeries("cpu0", "CPUUtilization", world.step(35, 99), service: "api")
        world.log("api", "ERROR request timed out after 5000 ms waiting for handler")
        #expect(world.top()?.category == .capacityExhaustion)

        var healthy = WorldEvidence(front: ["api"])
        healthy.errors(targets: ["api": 30])
        healthy.log("api", "ERROR java.net.SocketTimeoutException: Read timed out calling ledger.internal:7000")
        #expect(healthy.top()?.category == .dependencyFailure)
    }

    @Test("ELB-generated 5XX with no target errors go to the service whose targets cannot be reached")
    func elbGenerated() {
        var world = WorldEvidence(front: ["web", "api"])
        world.errors(elb: 70)
        world.unhealthy("api", reason: "Target.FailedHealthChecks")
        let top = world.top()
        #expect(top?.category == .unhealthyTargets)
        #expect(top?.service == "api")
    }

    @Test(
        "a signal that followed the rise is outranked by one that began with it; one from before the window is ruled out"
    )
    func onsetAndBaseline() {
        var world = WorldEvidence(front: ["api"])
        world.errors(targets: ["api": 50])
        world.log("api", "ERROR ECONNREFUSED 10.1.2.3:5432 connecting to orders-db.internal:5432", count: 60)
        world.log(
            "api", "ERROR TypeError: Cannot read properties of undefined (reading 'id')", count: 900,
            from: WorldEvidence.rise.addingTimeInterval(540))
        world.log(
            "api", "ERROR ThrottlingException: Rate exceeded", count: 400,
            from: WorldEvidence.alarm.addingTimeInterval(-1790))
        let ranking = FindingsEngine.rank(world.evidence)
        #expect(ranking.findings.first?.category == .dependencyFailure)
        #expect(!ranking.findings.contains { $0.category == .throttling })
        #expect(ranking.ruledOut.contains { $0.contains("ThrottlingException") })
    }

    @Test("two causes that both clear the bar are both findings, and the summary says so")
    func twoCauses() {
        var world = WorldEvidence(front: ["web", "api"])
        world.errors(targets: ["web": 40, "api": 40])
        world.stopped("web", count: 4, exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage")
        world.log(
            "api", "ERROR ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput")
        let findings = FindingsEngine.findings(world.evidence)
        let pairs = findings.prefix(2).map { "\($0.category.rawValue)/\($0.service ?? "-")" }
        #expect(Set(pairs) == ["out_of_memory/web", "throttling/api"])
        #expect(findings.prefix(2).allSatisfy { $0.confidence >= FindingsEngine.bar })
        let report = ReportFixtures.report(evidence: world.evidence)
        #expect(report.summary.contains("Two causes: "))
    }

    @Test("partial data lowers confidence but agreeing sources still name the cause")
    func partialData() {
        var world = WorldEvidence(front: ["api"])
        world.errors(elb: 40)
        world.stopped("api", count: 4, exitCode: 1)
        let full = world.top()
        world.evidence.gaps = [
            Gap(source: "xray", reason: "AccessDeniedException on xray:GetTraceSummaries"),
            Gap(source: "logs", reason: "ResourceNotFoundException on logs:FilterLogEvents"),
        ]
        let partial = world.top()
        #expect(partial?.category == .containerCrash)
        #expect(partial?.service == "api")
        #expect((partial?.confidence ?? 1) < (full?.confidence ?? 0))
    }

    @Test("unknown only when nothing clears the bar, and it still says where the errors came from")
    func unknownSaysWhere() {
        var world = WorldEvidence(front: ["web", "api"])
        world.errors(targets: ["api": 25])
        world.log("api", "WARN cache miss for key <*>", level: .warning)
        let findings = FindingsEngine.findings(world.evidence)
        #expect(findings.first?.category == .unknown)
        #expect(findings.first?.service == "api")
        #expect(findings.first?.evidence.first?.contains("came from api") == true)
    }

    @Test("capacity: placement failures and CPU saturation with running below desired")
    func capacity() {
        var world = WorldEvidence(front: ["api"])
        world.errors(elb: 30)
        world.addSeries("cpu0", "CPUUtilization", world.step(40, 96), service: "api")
        world.evidence.ecs.services[0].running = 1
        world.evidence.ecs.services[0].events = [
            ServiceEventRecord(
                at: WorldEvidence.rise,
                message:
                    "(service api) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster."
            )
        ]
        let top = world.top()
        #expect(top?.category == .capacityExhaustion)
        #expect(top?.service == "api")
    }
}

@Suite("signal vocabulary and topology names")
struct SignalVocabularyTests {
    @Test("dependency failures of databases, caches, HTTP and gRPC clients, in several runtimes")
    func dependencies() {
        for message in [
            "org.postgresql.util.PSQLException: Connection to orders-db:5432 refused.",
            "com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure",
            "Error: connect ECONNREFUSED 127.0.0.1:6379",
            "dial tcp 10.0.4.7:5432: i/o timeout",
            "rpc error: code = Unavailable desc = connection error",
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "requests.exceptions.ConnectionError: HTTPConnectionPool(host='users', port=80): Max retries exceeded",
            "getaddrinfo ENOTFOUND payments.internal",
            "java.net.UnknownHostException: ledger.shop.local",
        ] {
            #expect(SignalVocabulary.classify(message) == .dependency, "\(message)")
        }
    }

    @Test("application exceptions of each runtime, and plain lines that are nothing")
    func applicationErrors() {
        for message in [
            "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
            "KeyError: 'user_id'", "TypeError: Cannot read properties of undefined (reading 'map')",
            "panic: runtime error: index out of range [3] with length 3",
            "System.InvalidOperationException: Sequence contains no elements",
        ] {
            let kind = SignalVocabulary.classify(message)
            #expect(kind == .applicationError || kind == .crash, "\(message)")
        }
        #expect(SignalVocabulary.classify("GET /orders 200 12ms") == nil)
        // An errno name inside a longer word is not that errno.
        #expect(SignalVocabulary.classify("ModuleNotFoundError: No module named 'quotes.rating'") == .applicationError)
        #expect(SignalVocabulary.classify("Error: getaddrinfo ENOTFOUND db") == .dependency)
    }

    @Test("the resource a message blames: a URL's host, host:port, an AWS service")
    func resources() {
        #expect(
            SignalVocabulary.resource(in: "GET http://inventory.shop.local:8080/x failed") == "inventory.shop.local")
        #expect(SignalVocabulary.resource(in: "connection refused to orders-db.internal:5432") == "orders-db.internal")
        #expect(SignalVocabulary.resource(in: "DynamoDB PutItem ProvisionedThroughputExceededException") == "DynamoDB")
    }

    @Test("a host names a service through its aliases; the longest alias wins")
    func hostToService() {
        var topology = Topology()
        topology.aliases = [
            "inventory": ["inventory", "inventory.shop.local"], "inventory-admin": ["inventory-admin"],
            "orders": ["orders", "internal-orders-123.us-east-1.elb.amazonaws.com"],
        ]
        #expect(topology.service(forHost: "http://inventory.shop.local:8080/stock") == "inventory")
        #expect(topology.service(forHost: "inventory-admin.shop.local") == "inventory-admin")
        #expect(topology.service(forHost: "internal-orders-123.us-east-1.elb.amazonaws.com") == "orders")
        #expect(topology.service(forHost: "orders-db.internal") == nil)
    }

    @Test("evidence reaches front services first, then those they call, then the rest")
    func reach() throws {
        func service(_ name: String, targetGroup: String? = nil, namespace: String? = nil, offers: Bool = false) throws
            -> ECSService
        {
            var object: [String: Any] = ["serviceName": name]
            if let targetGroup { object["loadBalancers"] = [["targetGroupArn": targetGroup]] }
            if let namespace {
                var configuration: [String: Any] = ["enabled": true, "namespace": namespace]
                if offers { configuration["services"] = [["portName": "http", "discoveryName": name]] }
                object["deployments"] = [["status": "PRIMARY", "serviceConnectConfiguration": configuration]]
            }
            return try JSONDecoder().decode(ECSService.self, from: JSONSerialization.data(withJSONObject: object))
        }
        let all = [
            try service("web", targetGroup: "tg-web", namespace: "shop"),
            try service("batch"),
            try service("inventory", namespace: "shop", offers: true),
            try service("ledger", targetGroup: "tg-internal-ledger"),
            try service("other-namespace", namespace: "billing", offers: true),
        ]
        var roles: [String: ServiceRole] = [:]
        let reached = TopologyResolver.reach(all, alarmTargetGroups: ["tg-web"], alarmService: nil, roles: &roles)
        #expect(reached.map(\.serviceName) == ["web", "inventory", "ledger", "batch", "other-namespace"])
        #expect(roles["web"] == .front && roles["inventory"] == .downstream && roles["ledger"] == .downstream)
        #expect(roles["batch"] == .other)
    }

    @Test("the baseline comes from before the rise, and a slow burn's onset is where it left the baseline")
    func baseline() {
        let alarm = WorldEvidence.alarm
        let times = (0..<30).map { alarm.addingTimeInterval(Double(-1800 + 60 * $0)) }
        // Flat at 2 for 12 minutes, then a ramp to 62 by minute 27.
        let values = (0..<30).map { $0 < 12 ? 2.0 : min(62, 2 + Double($0 - 11) * 4) }
        let summary = MetricsReader.summarise(times, values, alarmTime: alarm)
        #expect(summary?.baseline == 2)
        let onset = summary?.riseStartedAt.map { Int($0.timeIntervalSince(times[0]) / 60) }
        #expect(onset != nil && onset! <= 16)
        #expect(MetricsReader.summarise(times, values.map { _ in Double.nan }, alarmTime: alarm) == nil)
    }
}

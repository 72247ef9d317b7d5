import AWSCore
import AWSServices
import Foundation
import Logging
import Testing
import Triage

/// Evidence collection against worlds built for six distinct causes: the evidence must hold the
/// facts that prove each.
@Suite("evidence collection against the local AWS world", .enabled(if: IntegrationEnvironment.ready))
struct EvidenceCollectionTests {
    /// Builds the world for `cause`, fires the alarm and collects.
    func collect(_ cause: String, restricted: Bool = false) throws -> (Evidence, LocalAWSWorld.Scenario, Double) {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario(cause)
            let context = try world.context(
                keyId: restricted ? world.description.noxray_key_id : nil,
                secret: restricted ? world.description.noxray_secret : nil)
            let (_, evidence, elapsed) = try world.collectEvidence(for: scenario, context: context)
            return (evidence, scenario, elapsed)
        }
    }

    func checkCommon(_ evidence: Evidence, _ scenario: LocalAWSWorld.Scenario) throws {
        #expect(evidence.topology.loadBalancer == scenario.load_balancer)
        #expect(Set(evidence.topology.targetGroupArns) == Set(scenario.target_groups.values))
        #expect(evidence.topology.services == ["api", "web", "worker"])
        #expect(evidence.topology.servicesFrom == "target-groups")
        #expect(evidence.topology.logGroups["api"] == scenario.log_groups["api"])
        #expect(evidence.gaps.isEmpty, "\(evidence.gaps)")
        #expect(evidence.apiCalls > 0 && evidence.apiCalls <= 40, "\(evidence.apiCalls) calls")
        #expect(evidence.ecs.taskDefinitions.allSatisfy { !$0.containers.isEmpty })
        // Saved and reloaded unchanged, for offline re-analysis.
        let data = try JSONEncoder().encode(evidence)
        #expect(try JSONDecoder().decode(Evidence.self, from: data) == evidence)
        // The task definitions' environment values are never read, so never kept.
        #expect(!String(decoding: data, as: UTF8.self).contains("hunter2"))
    }

    func series(_ evidence: Evidence, _ id: String) -> MetricSeries? {
        evidence.metrics.first { $0.id == id }
    }

    func api(_ evidence: Evidence) -> ServiceState? {
        evidence.ecs.services.first { $0.name == "api" }
    }

    func patterns(_ evidence: Evidence) -> [String] {
        evidence.logs.first { $0.service == "api" }?.patterns.map(\.template) ?? []
    }

    @Test("a bad deployment: the new revision, its start time, failing tasks and the startup error")
    func badDeployment() throws {
        let (evidence, scenario, _) = try collect("bad-deployment")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .badDeployment, "\(findings)")
        let primary = try #require(api(evidence)?.deployments.first { $0.status == "PRIMARY" })
        #expect(primary.revision == 2 && primary.rolloutState == "IN_PROGRESS")
        #expect(abs((primary.createdAt?.timeIntervalSince1970 ?? 0) - (scenario.now - 600)) < 1)
        #expect(
            evidence.ecs.stoppedTasks.count == 4
                && evidence.ecs.stoppedTasks.allSatisfy { $0.containers.first?.exitCode == 1 })
        #expect(patterns(evidence).contains { $0.contains("missing required property") })
        #expect(series(evidence, "elb5xx")?.summary?.peak == 40)
        #expect(series(evidence, "elb5xx")?.summary?.riseStartedAt != nil)
    }

    @Test("out of memory: exit code 137 with its reason, memory at the ceiling")
    func outOfMemory() throws {
        let (evidence, scenario, _) = try collect("oom")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .outOfMemory, "\(findings)")
        #expect(evidence.ecs.stoppedTasks.count == 4)
        #expect(
            evidence.ecs.stoppedTasks.allSatisfy {
                $0.containers.first?.exitCode == 137
                    && $0.containers.first?.reason?.contains("OutOfMemoryError") == true
            })
        #expect(patterns(evidence).contains { $0.contains("OutOfMemoryError") })
        #expect(series(evidence, "memory0")?.summary?.peak == 99)
    }

    @Test("a crash loop: repeated non-zero exits without a new deployment")
    func crashLoop() throws {
        let (evidence, scenario, _) = try collect("crash-loop")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .containerCrash, "\(findings)")
        #expect(
            evidence.ecs.stoppedTasks.count == 5
                && evidence.ecs.stoppedTasks.allSatisfy { $0.containers.first?.exitCode == 2 })
        #expect(api(evidence)?.deployments.count == 1 && api(evidence)?.deployments.first?.rolloutState == "COMPLETED")
        #expect((api(evidence)?.events.filter { $0.message.contains("has stopped") }.count ?? 0) >= 2)
        #expect(patterns(evidence).contains { $0.contains("panic") }, "\(evidence.logs)")
    }

    @Test("a failing task is read with what it logged last: its own stream, a few tasks per service")
    func lastLinesOfAStoppedTask() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("crash-loop")
            let task = try #require(scenario.stopped_tasks.first)
            let taskId = String(task.split(separator: "/").last ?? "")
            let lines = [
                "INFO starting orders worker",
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            ]
            try world.putLogLines(
                group: scenario.log_groups["api"] ?? "", stream: "ecs/api/\(taskId)", lines: lines,
                end: scenario.now - 500)
            let (_, evidence, _) = try world.collectEvidence(for: scenario, context: try world.context())
            let stopped = try #require(evidence.ecs.stoppedTasks.first { $0.arn == task })
            #expect(stopped.lastLines == lines)
            #expect(evidence.ecs.stoppedTasks.filter { $0.lastLines != nil }.count == 1)
            // Exit 2 on its own is a crash; with that last line the task ran out of memory.
            let findings = FindingsEngine.findings(evidence)
            #expect(findings.first?.category == .outOfMemory, "\(findings)")
            #expect(findings.first?.service == "api")
            #expect(
                findings.first?.evidence.contains { $0.contains("last logged: FATAL ERROR: Reached heap limit") }
                    == true)
        }
    }

    @Test("unhealthy targets: the health-check reason code, ELB 503s without target 5XX")
    func unhealthyTargets() throws {
        let (evidence, scenario, _) = try collect("unhealthy-targets")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .unhealthyTargets, "\(findings)")
        let group = try #require(evidence.targetGroups.first { $0.arn == scenario.target_groups["api"] })
        #expect(group.targets.count == 2)
        #expect(group.targets.allSatisfy { $0.state == "unhealthy" && $0.reason == "Target.ResponseCodeMismatch" })
        #expect(group.targets.first?.description?.contains("[503]") == true)
        #expect(series(evidence, "elb503")?.summary?.peak == 50)
        #expect(series(evidence, "target5xx")?.summary?.peak == 0)
    }

    @Test("a failing dependency: its connection errors as a pattern and as the failing downstream of traces")
    func dependencyFailure() throws {
        let (evidence, scenario, _) = try collect("dependency-failure")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .dependencyFailure, "\(findings)")
        #expect(
            patterns(evidence).contains { $0.hasPrefix("connection refused to orders-db.internal:<*>") },
            "\(patterns(evidence))")
        #expect(evidence.traces.faults == 4)
        #expect(
            evidence.traces.failingSegments.contains {
                $0.downstream == "orders-db" && $0.cause?.contains("Connection refused") == true
            })
        #expect(series(evidence, "target5xx")?.summary?.peak == 45)
    }

    @Test("exhausted capacity: CPU at the ceiling, 504s, slow responses, fewer tasks running than desired")
    func capacity() throws {
        let (evidence, scenario, elapsed) = try collect("capacity")
        try checkCommon(evidence, scenario)
        let findings = FindingsEngine.findings(evidence)
        #expect(findings.first?.category == .capacityExhaustion, "\(findings)")
        #expect(series(evidence, "cpu0")?.summary?.peak == 97)
        #expect(series(evidence, "elb504")?.summary?.peak == 30)
        #expect(api(evidence)?.desired == 4 || api(evidence)?.deployments.first?.desired == 4)
        print(
            "evidence collection (capacity world): \(evidence.apiCalls) API calls in \(String(format: "%.2f", elapsed)) s"
        )
    }

    @Test("a denied permission (no xray:*) becomes a gap; everything else is still collected")
    func deniedPermission() throws {
        let (evidence, _, _) = try collect("dependency-failure", restricted: true)
        let gap = try #require(evidence.gaps.first { $0.source == "xray" })
        #expect(gap.reason.contains("AccessDenied"))
        #expect(evidence.gaps.count == 1)
        #expect(!evidence.metrics.isEmpty && !evidence.logs.isEmpty && !evidence.ecs.services.isEmpty)
    }
}

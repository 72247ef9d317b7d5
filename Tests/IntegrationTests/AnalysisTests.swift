import AWSCore
import AWSServices
import Foundation
import Logging
import Testing

@testable import Triage

/// The Bedrock analyser against the signature-verifying Bedrock stand-in.
@Suite("model analysis against the Bedrock stand-in", .enabled(if: IntegrationEnvironment.ready))
struct AnalysisTests {
    func analyser(
        _ world: LocalAWSWorld, api: AnalysisSettings.API = .converse, model: String, timeout: TimeInterval = 30,
        budget: Double = 20
    )
        throws -> BedrockAnalyser
    {
        var settings = AnalysisSettings()
        settings.api = api
        settings.modelId = model
        settings.timeout = timeout
        settings.dailyBudgetUSD = budget
        return BedrockAnalyser(
            client: BedrockRuntimeClient(client: try world.context().client(for: .bedrockRuntime)), settings: settings,
            ledger: SpendLedger(), clock: SystemWallClock(), logger: Logger(label: "t"))
    }

    func recorded(_ world: LocalAWSWorld) throws -> [[String: Any]] { try world.bedrockRequests() }

    func control(_ world: LocalAWSWorld, _ command: [String: Any]) throws { try world.bedrockControl(command) }

    @Test(
        "Converse and InvokeModel (Anthropic, Nova) give a model analysis with usage and cost; prompts hold no secret and fit the budget"
    )
    func modelAnalysis() throws {
        try LocalAWSWorld.with { world in
            let budget = 3000
            let prompt = PromptBuilder(budgetTokens: budget).build(
                alarm: AnalysisFixtures.alarm(), findings: AnalysisFixtures.findings,
                evidence: AnalysisFixtures.secretLadenEvidence())
            let runs: [(AnalysisSettings.API, String)] = [
                (.converse, "global.anthropic.claude-sonnet-4-6"),
                (.invoke, "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
                (.invoke, "amazon.nova-lite-v1:0"),
            ]
            for (api, model) in runs {
                let result = try analyser(world, api: api, model: model).analyse(prompt)
                #expect(result.source == .bedrock, "\(model): \(result.unavailableReason ?? "")")
                #expect(result.summary == "The stand-in model read the evidence.")
                #expect(result.actions == ["Check the deployment"])
                #expect(result.usage.inputTokens == 100 && result.usage.outputTokens == 20)
                #expect(result.usage.estimatedCostUSD > 0)
            }
            let requests = try recorded(world)
            #expect(requests.count == runs.count)
            for request in requests {
                let body = request["body"] as? String ?? ""
                #expect(request["signature_valid"] as? Bool == true)
                for secret in ["AKIAIOSFODNN7EXAMPL", "hunter1", "S3cret2", "alice3@example.com"] {
                    #expect(!body.contains(secret), "\(secret) reached the model")
                }
                // Every prompt within the budget by the conservative estimate (bytes / 3).
                #expect((body.utf8.count + 2) / 3 <= budget + 200, "request of \(body.utf8.count) bytes")
            }
        }
    }

    @Test("throttle-all, stall-all and an exhausted budget give a rules-only analysis within the timeout")
    func fallbacks() throws {
        try LocalAWSWorld.with { world in
            let prompt = PromptBuilder(budgetTokens: 2000).build(
                alarm: AnalysisFixtures.alarm(), findings: AnalysisFixtures.findings,
                evidence: AnalysisFixtures.secretLadenEvidence(patterns: 5))
            try control(world, ["mode": "throttle", "count": 100])
            var started = Date()
            let throttled = try analyser(world, model: "amazon.nova-lite-v1:0", timeout: 10).analyse(prompt)
            #expect(throttled.source == .rules)
            #expect(
                throttled.unavailableReason?.contains("ThrottlingException") == true,
                "\(throttled.unavailableReason ?? "")")
            #expect(Date().timeIntervalSince(started) < 11)

            try control(world, ["mode": "denied", "count": 1])
            let denied = try analyser(world, model: "amazon.nova-lite-v1:0").analyse(prompt)
            #expect(denied.unavailableReason?.contains("AccessDeniedException") == true)

            let broke = try analyser(world, model: "global.anthropic.claude-sonnet-4-6", budget: 0).analyse(
                prompt)
            #expect(broke.source == .rules)
            #expect(broke.unavailableReason?.hasPrefix("daily model budget of $0.00 reached") == true)

            // Last: a stalled call (the stand-in keeps sleeping after the analysis gave up).
            try control(world, ["mode": "stall", "count": 100, "stall_seconds": 8])
            started = Date()
            let stalled = try analyser(world, model: "amazon.nova-lite-v1:0", timeout: 2).analyse(prompt)
            #expect(stalled.source == .rules)
            #expect(stalled.unavailableReason?.contains("did not answer within 2 s") == true)
            #expect(Date().timeIntervalSince(started) < 5)

        }
    }

    @Test("a world whose logs are full of secrets: collected, analysed, and no secret reaches Bedrock")
    func secretsFromAWorld() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("bad-deployment")
            let context = try world.context()
            let (event, evidence, _) = try world.collectEvidence(for: scenario, context: context)
            // The secrets really are in the evidence: only redaction keeps them from the model.
            let raw = String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
            #expect(raw.contains("Sup3rS3cretPw"))
            let findings = FindingsEngine.findings(evidence)
            let prompt = PromptBuilder(budgetTokens: 12_000).build(alarm: event, findings: findings, evidence: evidence)
            let result = try analyser(world, model: "global.anthropic.claude-sonnet-4-6").analyse(prompt)
            #expect(result.source == .bedrock)
            let bodies = try recorded(world).map { $0["body"] as? String ?? "" }
            #expect(bodies.count == 1)
            for secret in ["Sup3rS3cretPw", "AKIAZ3XAMPLEKEY12345", "ops.lead@example.com"] {
                #expect(!(bodies.first ?? "").contains(secret), "\(secret) reached the model")
            }
            #expect((bodies.first ?? "").contains("missing required property"))
        }
    }

    @Test("the model never makes it worse: a wrong diagnosis from the model does not replace the evidence's")
    func wrongModelDiagnosis() throws {
        try LocalAWSWorld.with { world in
            let scenario = try world.buildScenario("oom")
            let context = try world.context()
            let (event, evidence, _) = try world.collectEvidence(for: scenario, context: context)
            let findings = FindingsEngine.findings(evidence)
            #expect(findings.first?.category == .outOfMemory && findings.first?.service == "api")
            let wrong =
                #"{"summary": "The web service's database is refusing connections.", "root_cause": "database down", "findings": [{"category": "dependency_failure", "service": "web", "title": "db down", "confidence": 0.97, "evidence": ["none"]}], "actions": ["Fail over the database"]}"#
            try control(world, ["reply": wrong])
            let prompt = PromptBuilder(budgetTokens: 12_000).build(alarm: event, findings: findings, evidence: evidence)
            // The prompt carries the ranked hypotheses with their service and resource.
            #expect(prompt.user.contains("1. [out_of_memory "))
            #expect(prompt.user.contains("service=api"))
            let analysis = try analyser(world, model: "global.anthropic.claude-sonnet-4-6").analyse(prompt)
            #expect(analysis.source == .bedrock, "\(analysis.unavailableReason ?? "")")
            var tracker = IncidentTracker(correlationWindow: 300)
            guard case .open(let incident) = tracker.observe(event, now: Date()) else {
                Issue.record("the alarm opened no incident")
                return
            }
            let report = ReportBuilder().build(
                incident: incident, alarm: event, evidence: evidence, findings: findings, analysis: analysis,
                now: Date())
            #expect(report.findings.first?.category == .outOfMemory)
            #expect(report.findings.first?.service == "api")
            #expect(!report.findings.contains { $0.category == .dependencyFailure && $0.service == "web" })
            #expect(report.analysis.verdict == .disagrees)
            #expect(report.analysis.disagreement?.contains("dependency_failure of web") == true)
            #expect(!report.summary.hasPrefix("The web service's database"))
            #expect(report.summary.contains("api tasks are being killed for running out of memory"))
            #expect(report.nextSteps.first != "Fail over the database")
        }
    }
}

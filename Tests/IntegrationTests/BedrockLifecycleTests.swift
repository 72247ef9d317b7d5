import AWSCore
import AWSServices
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

@testable import Triage

extension LocalAWSWorld {
    /// Every request the Bedrock stand-in received, oldest first.
    func bedrockRequests() throws -> [[String: Any]] {
        let response = try CurlTransport().send(HTTPRequest(method: "GET", url: description.bedrock + "/_requests"))
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] ?? []
    }

    /// Tells the Bedrock stand-in how to answer next (see bedrock_standin.py).
    func bedrockControl(_ command: [String: Any]) throws {
        _ = try CurlTransport().send(
            HTTPRequest(
                method: "POST", url: description.bedrock + "/_control",
                body: Array(try JSONSerialization.data(withJSONObject: command))))
    }
}

/// Bedrock as it is in late 2026, against the stand-in: the default model, retired and
/// profile-only models, the fallback, the deadline, truncation and prompt-cache usage.
@Suite("Bedrock lifecycle, profiles, fallback and deadline", .enabled(if: IntegrationEnvironment.ready))
struct BedrockLifecycleTests {
    /// The backoffs the analyser asked for.
    final class Delays: Sendable {
        private let list = Mutex<[TimeInterval]>([])
        func add(_ delay: TimeInterval) { list.withLock { $0.append(delay) } }
        var all: [TimeInterval] { list.withLock { $0 } }
    }

    struct Harness {
        let analyser: BedrockAnalyser
        let ledger: SpendLedger
        let logs: InMemoryLogHandler
        let delays: Delays
    }

    func harness(
        _ world: LocalAWSWorld, _ configure: (inout AnalysisSettings) -> Void = { _ in }, realSleep: Bool = false
    ) throws -> Harness {
        var settings = AnalysisSettings()
        settings.timeout = 20
        configure(&settings)
        let logs = InMemoryLogHandler()
        let ledger = SpendLedger()
        let delays = Delays()
        let sleep: @Sendable (TimeInterval) -> Void = { delay in
            delays.add(delay)
            if realSleep { Thread.sleep(forTimeInterval: delay) }
        }
        // A client that would retry itself: the analyser must take the retries over.
        let client = BedrockRuntimeClient(client: try world.context().client(for: .bedrockRuntime))
        let logger = Logger(label: "t") { _ in logs }
        let analyser = BedrockAnalyser(
            client: client, settings: settings, ledger: ledger, clock: SystemWallClock(), logger: logger, sleep: sleep)
        return Harness(analyser: analyser, ledger: ledger, logs: logs, delays: delays)
    }

    func prompt(system: String? = nil) -> BuiltPrompt {
        var prompt = PromptBuilder(budgetTokens: 2000).build(
            alarm: AnalysisFixtures.alarm(), findings: AnalysisFixtures.findings,
            evidence: AnalysisFixtures.secretLadenEvidence(patterns: 5))
        if let system { prompt.system = system }
        return prompt
    }

    func recorded(_ world: LocalAWSWorld) throws -> [[String: Any]] { try world.bedrockRequests() }

    func control(_ world: LocalAWSWorld, _ command: [String: Any]) throws { try world.bedrockControl(command) }

    func paths(_ requests: [[String: Any]]) -> [String] {
        requests.compactMap { $0["path"] as? String }
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test("the default model (global Claude Sonnet 4.6) answers through Converse with a cache point; cost at its price")
    func defaultModel() throws {
        try LocalAWSWorld.with { world in
            let h = try harness(world)
            let result = h.analyser.analyse(prompt())
            #expect(AnalysisSettings().modelId == "global.anthropic.claude-sonnet-4-6")
            #expect(result.source == .bedrock, "\(result.unavailableReason ?? "")")
            #expect(result.modelId == "global.anthropic.claude-sonnet-4-6")
            #expect(result.answeredBy == "global.anthropic.claude-sonnet-4-6")
            #expect(result.attempts == 1 && !result.truncated)
            // 100 input and 20 output tokens at $3 / $15 per million.
            #expect(close(result.usage.estimatedCostUSD, (100 * 3.0 + 20 * 15.0) / 1_000_000))
            #expect(close(h.ledger.spent(on: Date()), result.usage.estimatedCostUSD))
            let requests = try recorded(world)
            #expect(paths(requests) == ["/model/global.anthropic.claude-sonnet-4-6/converse"])
            let body =
                try JSONSerialization.jsonObject(with: Data((requests[0]["body"] as? String ?? "").utf8))
                as? [String: Any]
            let system = body?["system"] as? [[String: Any]] ?? []
            #expect(system.count == 2 && system[0]["text"] as? String == prompt().system)
            #expect((system[1]["cachePoint"] as? [String: Any])?["type"] as? String == "default")
        }
    }

    @Test("an EOL model: the reason says what to set, no retry, rules only; a Legacy one likewise")
    func retiredModels() throws {
        try LocalAWSWorld.with { world in
            let h = try harness(world) { $0.modelId = "anthropic.claude-3-5-sonnet-20240620-v1:0" }
            let result = h.analyser.analyse(prompt())
            #expect(result.source == .rules)
            let reason = result.unavailableReason ?? ""
            #expect(
                reason.hasPrefix(
                    "model anthropic.claude-3-5-sonnet-20240620-v1:0 reached end of life on Bedrock on 2026-07-30; set analysis.bedrock.model_id to global.anthropic.claude-sonnet-4-6 (Bedrock ResourceNotFoundException: This model version has reached the end of its life."
                ), "\(reason)")
            #expect(reason.contains("request id standin-"))
            #expect(result.attempts == 1)
            #expect(try recorded(world).count == 1, "retried a retired model")
            #expect(h.delays.all.isEmpty)
            let warning = h.logs.entries.first { $0.message.description == "model analysis unavailable" }
            #expect(warning?.metadata["reason"]?.description == reason)

            try control(world, ["mode": "none", "count": 0])
            let legacy = try harness(world) { $0.modelId = "us.anthropic.claude-opus-4-1-20250805-v1:0" }
            let answer = legacy.analyser.analyse(prompt())
            #expect(answer.source == .rules)
            #expect(
                answer.unavailableReason?.hasPrefix(
                    "model us.anthropic.claude-opus-4-1-20250805-v1:0 is Legacy on Bedrock and this account may no longer use it (end of life 2027-01-08); set analysis.bedrock.model_id to global.anthropic.claude-opus-4-6-v1 (Bedrock ResourceNotFoundException: Access denied. This Model is marked by provider as Legacy"
                ) == true, "\(answer.unavailableReason ?? "")")
            #expect(try recorded(world).count == 2)
        }
    }

    @Test("a profile-only base ID: the on-demand ValidationException, then once the region's geography profile")
    func profileOnly() throws {
        try LocalAWSWorld.with { world in
            let h = try harness(world) { $0.modelId = "anthropic.claude-sonnet-4-6" }
            let result = h.analyser.analyse(prompt())
            #expect(result.source == .bedrock, "\(result.unavailableReason ?? "")")
            #expect(result.modelId == "anthropic.claude-sonnet-4-6")
            #expect(result.answeredBy == "us.anthropic.claude-sonnet-4-6")
            #expect(result.attempts == 2)
            #expect(
                result.notes.first?.hasPrefix(
                    "model anthropic.claude-sonnet-4-6 is not offered on demand, only through an inference profile; set analysis.bedrock.model_id to us.anthropic.claude-sonnet-4-6 (Bedrock ValidationException: Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported."
                ) == true, "\(result.notes)")
            #expect(
                paths(try recorded(world)) == [
                    "/model/anthropic.claude-sonnet-4-6/converse", "/model/us.anthropic.claude-sonnet-4-6/converse",
                ])
            let logged = h.logs.entries.first {
                $0.message.description.hasPrefix("model answers only through an inference profile")
            }
            #expect(logged?.metadata["model.profile"]?.description == "us.anthropic.claude-sonnet-4-6")
        }
    }

    @Test("the fallback model is tried once when the primary is throttled out or retired, and named in the result")
    func fallback() throws {
        try LocalAWSWorld.with { world in
            // Throttled three times: the primary's attempts are used up, the fallback answers.
            try control(world, ["mode": "throttle", "count": 3])
            let h = try harness(world) { $0.fallbackModelId = "amazon.nova-lite-v1:0" }
            let result = h.analyser.analyse(prompt())
            #expect(result.source == .bedrock, "\(result.unavailableReason ?? "")")
            #expect(result.modelId == "global.anthropic.claude-sonnet-4-6")
            #expect(result.answeredBy == "amazon.nova-lite-v1:0")
            #expect(result.attempts == 4)
            #expect(result.notes.first?.contains("ThrottlingException") == true)
            #expect(result.notes.first?.hasSuffix("the fallback model amazon.nova-lite-v1:0 was tried") == true)
            #expect(
                paths(try recorded(world))
                    == Array(repeating: "/model/global.anthropic.claude-sonnet-4-6/converse", count: 3) + [
                        "/model/amazon.nova-lite-v1%3A0/converse"
                    ])
            // Two backoffs (1 s base for throttling, jittered), none after the last attempt.
            let delays = h.delays.all
            #expect(delays.count == 2 && delays[0] < 1 && delays[1] < 2)
            // Priced at the model that answered: Nova Lite $0.06 / $0.24 per million.
            #expect(close(result.usage.estimatedCostUSD, (100 * 0.06 + 20 * 0.24) / 1_000_000))

            // Retired primary: one call, then the fallback; a retired fallback is not retried either.
            let retired = try harness(world) {
                $0.modelId = "anthropic.claude-3-7-sonnet-20250219-v1:0"
                $0.fallbackModelId = "amazon.nova-pro-v1:0"
            }
            let second = retired.analyser.analyse(prompt())
            #expect(second.answeredBy == "amazon.nova-pro-v1:0" && second.attempts == 2)
            let both = try harness(world) {
                $0.modelId = "anthropic.claude-3-7-sonnet-20250219-v1:0"
                $0.fallbackModelId = "anthropic.claude-3-haiku-20240307-v1:0"
            }
            let neither = both.analyser.analyse(prompt())
            #expect(neither.source == .rules && neither.attempts == 2)
            #expect(
                neither.unavailableReason?.contains(
                    "; fallback anthropic.claude-3-haiku-20240307-v1:0: model anthropic.claude-3-haiku-20240307-v1:0 reached end of life on Bedrock on 2026-09-10; set analysis.bedrock.fallback_model_id to global.anthropic.claude-haiku-4-5-20251001-v1:0"
                ) == true, "\(neither.unavailableReason ?? "")")
            #expect(try recorded(world).count == 4 + 2 + 2)
        }
    }

    /// Waits (bounded) until the stand-in has finished every request it received.
    func waitUntilAnswered(_ world: LocalAWSWorld, within seconds: TimeInterval) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let requests = try recorded(world)
            if requests.allSatisfy({ $0["finished"] is Double }) || Date() > deadline { return requests }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    @Test(
        "the deadline: no attempt after it, nothing left calling Bedrock once the analyser returned, every attempt in the ledger"
    )
    func deadline() throws {
        try LocalAWSWorld.with { world in
            // Bedrock takes 4 s, the analysis may take 1.5 s.
            try control(world, ["mode": "stall", "count": 100, "stall_seconds": 4])
            let h = try harness(
                world,
                {
                    $0.timeout = 1.5; $0.modelId = "amazon.nova-lite-v1:0"
                }, realSleep: true)
            let built = prompt()
            let started = Date()
            let result = h.analyser.analyse(built)
            let returned = Date()
            #expect(returned.timeIntervalSince(started) < 2.5)
            #expect(result.source == .rules)
            #expect(result.unavailableReason == "Bedrock did not answer within 1.5 s")
            // Never answered: the input sent is counted, at Nova Lite's $0.06 per million.
            #expect(result.usage.inputTokens == built.estimatedTokens)
            #expect(close(h.ledger.spent(on: Date()), Double(built.estimatedTokens) * 0.06 / 1_000_000))
            let answered = try waitUntilAnswered(world, within: 10)
            #expect(answered.allSatisfy { $0["finished"] is Double }, "the stand-in still works on a request")
            // Absence can only be observed over time: an SDK-style retry would follow the stalled answer
            // within its 1 s backoff, so watch 2 s longer.
            Thread.sleep(forTimeInterval: 2)
            let requests = try recorded(world)
            #expect(requests.count == 1, "\(requests.count) requests")
            #expect(requests.allSatisfy { ($0["time"] as? Double ?? .infinity) < returned.timeIntervalSince1970 })

            // Throttled all along with real backoffs: retries stop at the deadline, each attempt counted.
            try control(world, ["mode": "throttle", "count": 100])
            let before = try recorded(world).count
            let throttled = try harness(world, { $0.timeout = 2 }, realSleep: true)
            let again = Date()
            let out = throttled.analyser.analyse(built)
            let back = Date()
            #expect(back.timeIntervalSince(again) < 2.2)
            #expect(out.unavailableReason?.contains("ThrottlingException") == true)
            let later = try recorded(world).dropFirst(before)
            #expect(later.count == out.attempts && out.attempts >= 1 && out.attempts <= 3)
            #expect(later.allSatisfy { ($0["time"] as? Double ?? .infinity) < back.timeIntervalSince1970 })
            // A throttled answer is not billed: nothing added.
            #expect(throttled.ledger.spent(on: Date()) == 0)
        }
    }

    @Test("a max_tokens stop is reported as a truncated answer (Converse and Anthropic InvokeModel)")
    func truncation() throws {
        try LocalAWSWorld.with { world in
            for api in [AnalysisSettings.API.converse, .invoke] {
                try control(world, ["truncate": 1])
                let h = try harness(world) { $0.api = api }
                let result = h.analyser.analyse(prompt())
                #expect(result.truncated, "\(api)")
                #expect(result.source == .rules)
                #expect(
                    result.unavailableReason
                        == "the model's answer was cut off at max_output_tokens (1500) before its JSON was complete; raise analysis.bedrock.max_output_tokens"
                )
                #expect(result.answeredBy == "global.anthropic.claude-sonnet-4-6")
                #expect(result.narrative?.isEmpty == false)
                #expect(result.usage.outputTokens == (api == .converse ? 1500 : 20))
                #expect(
                    h.logs.entries.contains { $0.message.description == "model answer truncated at max_output_tokens" })
            }
        }
    }

    @Test(
        "prompt-cache writes and reads are reported and priced; a system prompt below the model's minimum is not cached"
    )
    func cacheTokens() throws {
        try LocalAWSWorld.with { world in
            // triaged's own instructions are below Claude's 1,024-token minimum: nothing cached.
            let small = try harness(world).analyser.analyse(prompt())
            #expect(small.usage.cacheReadTokens == 0 && small.usage.cacheWriteTokens == 0)

            // A fixed part of 5,000 characters (1,250 tokens by the stand-in's count).
            let system = String(repeating: "Fixed triage guidance. ", count: 218) + "1234"
            #expect(system.count == 5_018)
            let tokens = 5_018 / 4
            for api in [AnalysisSettings.API.converse, .invoke] {
                try control(world, ["mode": "none", "count": 0])
                _ = try CurlTransport().send(HTTPRequest(method: "POST", url: world.description.bedrock + "/_reset"))
                let h = try harness(world) { $0.api = api }
                let first = h.analyser.analyse(prompt(system: system))
                #expect(first.usage.cacheWriteTokens == tokens && first.usage.cacheReadTokens == 0, "\(api)")
                #expect(close(first.usage.estimatedCostUSD, (100 * 3.0 + 20 * 15.0 + Double(tokens) * 3.75) / 1e6))
                let second = h.analyser.analyse(prompt(system: system))
                #expect(second.usage.cacheReadTokens == tokens && second.usage.cacheWriteTokens == 0, "\(api)")
                #expect(close(second.usage.estimatedCostUSD, (100 * 3.0 + 20 * 15.0 + Double(tokens) * 0.30) / 1e6))
                #expect(close(h.ledger.spent(on: Date()), first.usage.estimatedCostUSD + second.usage.estimatedCostUSD))
            }
        }
    }

    @Test("the report names the answering model and carries attempts, notes and cache usage, schema-valid")
    func reportFields() throws {
        try LocalAWSWorld.with { world in
            let h = try harness(world) {
                $0.modelId = "anthropic.claude-3-7-sonnet-20250219-v1:0"
                $0.fallbackModelId = "global.anthropic.claude-sonnet-4-6"
            }
            let system = String(repeating: "Fixed triage guidance. ", count: 218) + "1234"
            let analysis = h.analyser.analyse(prompt(system: system))
            let alarm = AnalysisFixtures.alarm()
            var tracker = IncidentTracker(correlationWindow: 300)
            guard case .open(let incident) = tracker.observe(alarm, now: Date()) else {
                Issue.record("the alarm opened no incident")
                return
            }
            let evidence = AnalysisFixtures.secretLadenEvidence(patterns: 2)
            let report = ReportBuilder().build(
                incident: incident, alarm: alarm, evidence: evidence, findings: AnalysisFixtures.findings,
                analysis: analysis, now: Date())
            let json = Array(try Report.encoder.encode(report))
            try DeliveryTests().validateAgainstSchema(json)
            let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
            let part = object?["analysis"] as? [String: Any] ?? [:]
            #expect(part["source"] as? String == "bedrock")
            #expect(part["model_id"] as? String == "anthropic.claude-3-7-sonnet-20250219-v1:0")
            #expect(part["answered_by"] as? String == "global.anthropic.claude-sonnet-4-6")
            #expect(part["attempts"] as? Int == 2 && part["truncated"] as? Bool == false)
            #expect(
                (part["notes"] as? [String])?.first?.contains("reached end of life on Bedrock on 2026-04-28") == true)
            let usage = part["usage"] as? [String: Any] ?? [:]
            #expect(usage["cache_write_tokens"] as? Int == 5_018 / 4 && usage["cache_read_tokens"] as? Int == 0)
            #expect(usage["cost_known"] as? Bool == true)
            #expect(MarkdownRenderer.render(report).contains("Model `global.anthropic.claude-sonnet-4-6`:"))
        }
    }

    @Test("an unknown model works through Converse and its cost is reported unknown, not guessed")
    func unknownModel() throws {
        try LocalAWSWorld.with { world in
            let h = try harness(world) {
                $0.modelId = "moonshotai.kimi-k2.5"; $0.dailyBudgetUSD = 0.0001
            }
            let result = h.analyser.analyse(prompt())
            #expect(result.source == .bedrock, "\(result.unavailableReason ?? "")")
            #expect(!result.usage.costKnown && result.usage.estimatedCostUSD == 0)
            #expect(result.notes.contains { $0.hasPrefix("cost unknown: no price for moonshotai.kimi-k2.5") })
            #expect(h.ledger.spent(on: Date()) == 0)
            // Without a cache flag in the catalogue, no cache point is sent.
            let body = try recorded(world).first?["body"] as? String ?? ""
            #expect(!body.contains("cachePoint"))
        }
    }
}

/// `triaged check --bedrock` asks the Bedrock control plane for each configured model's lifecycle
/// before the 1-token call.
@Suite("triaged check --bedrock: model lifecycle", .enabled(if: IntegrationEnvironment.ready))
struct BedrockCheckTests {
    func check(_ world: LocalAWSWorld, model: String, fallback: String? = nil, calls: Bool = true) throws
        -> TriagedBinary.Outcome
    {
        let directory = try ReplayCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (config, environment) = try ReplayCommandTests.config(world, directory: directory)
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "    enabled: false",
            with: "    enabled: true\n    model_id: \(model)"
                + (fallback.map { "\n    fallback_model_id: \($0)" } ?? ""))
        text = text.replacingOccurrences(
            of: "  allow_http: true",
            with:
                "  allow_http: true\n  endpoints:\n    bedrock-runtime: \(world.description.bedrock)\n    bedrock: \(world.description.bedrock)"
        )
        try text.write(to: config, atomically: true, encoding: .utf8)
        return try TriagedBinary.run(
            ["check", "--config", config.path] + (calls ? ["--bedrock"] : []), environment: environment)
    }

    func lines(_ outcome: TriagedBinary.Outcome, _ prefix: String) -> [String] {
        outcome.stdout.split(separator: "\n").map(String.init).filter { $0.dropFirst(7).hasPrefix(prefix) }
    }

    @Test("ACTIVE, LEGACY with its end-of-life date (a warning), and not found, each before the 1-token call")
    func lifecycle() throws {
        try LocalAWSWorld.with { world in
            let active = try check(world, model: "global.anthropic.claude-sonnet-4-6")
            #expect(
                lines(active, "model") == [
                    "[ ok ] model         global.anthropic.claude-sonnet-4-6: inference profile ACTIVE, anthropic.claude-sonnet-4-6 ACTIVE"
                ], "\(active.stdout)")
            #expect(
                lines(active, "bedrock ").first?.hasPrefix(
                    "[ ok ] bedrock       bedrock:InvokeModel on global.anthropic.claude-sonnet-4-6") == true)
            let lifecycleAt = active.stdout.range(of: "model         global")?.lowerBound
            let callAt = active.stdout.range(of: "bedrock       bedrock:InvokeModel")?.lowerBound
            #expect(lifecycleAt != nil && callAt != nil && lifecycleAt! < callAt!)

            let legacy = try check(world, model: "us.anthropic.claude-opus-4-1-20250805-v1:0")
            #expect(
                lines(legacy, "model") == [
                    "[warn] model         us.anthropic.claude-opus-4-1-20250805-v1:0: inference profile ACTIVE, anthropic.claude-opus-4-1-20250805-v1:0 LEGACY since 2026-07-08, end of life 2027-01-08; set analysis.bedrock.model_id to global.anthropic.claude-opus-4-6-v1 before then"
                ], "\(legacy.stdout)")
            // This account has not used it lately: the call is refused with the Legacy text, explained.
            #expect(
                lines(legacy, "bedrock ").first?.hasPrefix(
                    "[FAIL] bedrock       model us.anthropic.claude-opus-4-1-20250805-v1:0 is Legacy on Bedrock")
                    == true,
                "\(legacy.stdout)")

            let unknown = try check(
                world, model: "anthropic.claude-nonexistent-9", fallback: "anthropic.claude-3-5-sonnet-20240620-v1:0")
            let modelLines = lines(unknown, "model")
            #expect(modelLines.count == 2)
            #expect(
                modelLines.first?.hasPrefix(
                    "[FAIL] model         anthropic.claude-nonexistent-9: not found on Bedrock in us-east-1; check the ID (analysis.bedrock.model_id) and the region (ResourceNotFoundException: The specified model anthropic.claude-nonexistent-9 was not found."
                ) == true, "\(unknown.stdout)")
            #expect(
                modelLines.last?.hasPrefix(
                    "[FAIL] model         anthropic.claude-3-5-sonnet-20240620-v1:0: not found on Bedrock in us-east-1 — model anthropic.claude-3-5-sonnet-20240620-v1:0 reached end of life on Bedrock on 2026-07-30; set analysis.bedrock.fallback_model_id to global.anthropic.claude-sonnet-4-6"
                ) == true, "\(unknown.stdout)")
            #expect(unknown.status == 1)

            // A profile-only base ID passes with a warning naming the profile to set.
            let bare = try check(world, model: "anthropic.claude-sonnet-4-6")
            #expect(
                lines(bare, "model").first
                    == "[warn] model         anthropic.claude-sonnet-4-6: anthropic.claude-sonnet-4-6 ACTIVE; model anthropic.claude-sonnet-4-6 is not offered on demand, only through an inference profile; set analysis.bedrock.model_id to us.anthropic.claude-sonnet-4-6",
                "\(bare.stdout)")
            // Without --bedrock, no Bedrock call; a model the catalogue knows as EOL still fails.
            let quiet = try check(world, model: "anthropic.claude-3-5-sonnet-20240620-v1:0", calls: false)
            #expect(lines(quiet, "model").isEmpty)
            #expect(
                lines(quiet, "bedrock ")
                    == [
                        "[FAIL] bedrock       model anthropic.claude-3-5-sonnet-20240620-v1:0 reached end of life on Bedrock on 2026-07-30; set analysis.bedrock.model_id to global.anthropic.claude-sonnet-4-6 (model catalogue; every report would be rules only)"
                    ], "\(quiet.stdout)")
            // Every control-plane call was signed for `bedrock` and verified.
            let control = try world.bedrockRequests().filter { $0["method"] as? String == "GET" }
            // Profile + model for the active and the Legacy one, one model lookup each for the other three.
            #expect(control.count == 7)
            #expect(control.allSatisfy { $0["signature_valid"] as? Bool == true })
        }
    }
}

import AWSCore
import AWSServices
import Foundation
import Logging
import Synchronization

/// What the model said, or why there is no model analysis.
public struct AnalysisResult: Sendable, Equatable, Codable {
    public struct Usage: Sendable, Equatable, Codable {
        /// Input tokens, cache reads and writes not included.
        public var inputTokens: Int
        public var outputTokens: Int
        public var cacheReadTokens: Int = 0
        public var cacheWriteTokens: Int = 0
        /// Every attempt's cost at list price (cache tokens at their price); 0 when unknown.
        public var estimatedCostUSD: Double
        /// False when a model that was called has no price (catalogue or configuration).
        public var costKnown: Bool = true
    }

    /// `bedrock` when the model answered usefully, else `rules`.
    public var source: AnalysisSource
    /// The configured model.
    public var modelId: String?
    /// The model (or inference profile) that gave the answer: the fallback, the geography profile
    /// tried for a profile-only base ID, or the configured model.
    public var answeredBy: String?
    public var summary: String?
    public var rootCause: String?
    /// The model's findings as report findings (the rule findings' type).
    public var findings: [Finding]
    /// The same findings as the model gave them, with the ECS service it blames.
    public var modelFindings: [ModelFinding] = []
    public var actions: [String]
    /// The model's text as it answered (redacted prompts in, so nothing secret comes back).
    public var narrative: String?
    public var unavailableReason: String?
    /// The answer stopped at `max_output_tokens`.
    public var truncated = false
    /// Model calls made (retries, the profile retry and the fallback included).
    public var attempts = 0
    /// What happened on the way to the answer (retired model, fallback used), one sentence each.
    public var notes: [String] = []
    public var usage: Usage

    static func rulesOnly(
        _ reason: String, modelId: String?, usage: Usage = Usage(inputTokens: 0, outputTokens: 0, estimatedCostUSD: 0)
    )
        -> AnalysisResult
    {
        AnalysisResult(
            source: .rules, modelId: modelId, summary: nil, rootCause: nil, findings: [], actions: [], narrative: nil,
            unavailableReason: reason, usage: usage)
    }
}

/// One finding as the model stated it: the report's categories plus the ECS service it names
/// (nil when the model named none), kept apart from the rule findings' `Finding`.
public struct ModelFinding: Sendable, Equatable, Codable {
    public var category: FindingCategory
    public var title: String
    public var confidence: Double
    public var evidence: [String]
    public var service: String?

    public var finding: Finding {
        Finding(category: category, service: service, title: title, confidence: confidence, evidence: evidence)
    }
}

/// Model settings (the `analysis.bedrock` section).
public struct AnalysisSettings: Sendable, Equatable {
    public enum API: String, Sendable { case converse, invoke }
    public var enabled = true
    /// A `global.` profile: answers in every commercial region (pick `us.`/`eu.`/`jp.`/… to keep
    /// data in a geography).
    public var modelId = "global.anthropic.claude-sonnet-4-6"
    /// Tried once when the primary is throttled, unavailable or retired.
    public var fallbackModelId: String?
    public var api = API.converse
    public var maxOutputTokens = 1500
    public var temperature = 0.2
    /// The whole analysis, every attempt included, must finish within this.
    public var timeout: TimeInterval = 60
    public var dailyBudgetUSD = 20.0
    /// Configured prices by a substring of the model id, before the catalogue; the first match wins.
    public var prices: [(match: String, price: BedrockModelCatalogue.Price)] = []
    public var catalogue = BedrockModelCatalogue.builtIn

    public init() {}

    public static func == (lhs: AnalysisSettings, rhs: AnalysisSettings) -> Bool {
        lhs.enabled == rhs.enabled && lhs.modelId == rhs.modelId && lhs.fallbackModelId == rhs.fallbackModelId
            && lhs.api == rhs.api && lhs.maxOutputTokens == rhs.maxOutputTokens && lhs.temperature == rhs.temperature
            && lhs.timeout == rhs.timeout && lhs.dailyBudgetUSD == rhs.dailyBudgetUSD
            && lhs.prices.map(\.match) == rhs.prices.map(\.match) && lhs.prices.map(\.price) == rhs.prices.map(\.price)
    }

    /// List prices (USD per million tokens) of `modelId`: configured, else the catalogue's; nil
    /// when neither knows it — then the cost is reported unknown rather than guessed.
    public func price(_ modelId: String) -> BedrockModelCatalogue.Price? {
        if let found = prices.first(where: { modelId.contains($0.match) }) { return found.price }
        return catalogue.model(modelId)?.price
    }
}

extension BedrockModelCatalogue.Price {
    /// USD for the tokens; cache reads and writes without a price of their own cost as input.
    func cost(input: Int, output: Int, cacheRead: Int = 0, cacheWrite: Int = 0) -> Double {
        (Double(input) * self.input + Double(output) * self.output + Double(cacheRead) * (self.cacheRead ?? self.input)
            + Double(cacheWrite) * (self.cacheWrite ?? self.input)) / 1_000_000
    }
}

/// The day's estimated model spend (UTC days), shared by all incidents. With a file (the state
/// directory's `spend.json`) it survives restarts, so a crash loop cannot spend the budget twice.
public final class SpendLedger: Sendable {
    struct Day: Codable {
        var day: Int
        var spent: Double
    }

    private let state: Mutex<Day>
    private let file: URL?

    public init(file: URL? = nil) {
        self.file = file
        let saved = file.flatMap { FileManager.default.contents(atPath: $0.path) }.flatMap {
            try? JSONDecoder().decode(Day.self, from: $0)
        }
        state = Mutex(saved ?? Day(day: 0, spent: 0))
    }

    /// Spend so far on the UTC day of `now`.
    public func spent(on now: Date) -> Double {
        let day = Int(now.timeIntervalSince1970 / 86_400)
        return state.withLock { $0.day == day ? $0.spent : 0 }
    }

    public func add(_ cost: Double, on now: Date) {
        let day = Int(now.timeIntervalSince1970 / 86_400)
        let snapshot = state.withLock { ledger -> Day in
            if ledger.day != day { ledger = Day(day: day, spent: 0) }
            ledger.spent += cost
            return ledger
        }
        guard let file, let data = try? JSONEncoder().encode(snapshot) else { return }
        // Best effort: a ledger that cannot be saved still limits this process's spend.
        try? DurableFile.replace(file, with: Array(data))
    }
}

/// Asks Bedrock for a diagnosis (Converse, or InvokeModel with the family's body) within one
/// deadline and the daily budget. Every attempt gets only the time that is left and runs on the
/// caller's thread, so nothing is still calling Bedrock once `analyse` has returned; throttled and
/// unavailable answers are retried while time is left, lifecycle and profile answers are not (they
/// need a configuration change); a profile-only base ID is tried once with the region's geography
/// profile, and `fallback_model_id` once when the primary is throttled, unavailable or retired.
/// Every attempt's usage — or, when Bedrock never answered, the input sent — goes into the ledger.
public struct BedrockAnalyser: Sendable {
    private let client: BedrockRuntimeClient
    private let settings: AnalysisSettings
    private let ledger: SpendLedger
    private let clock: any WallClock
    private let logger: Logger
    private let sleep: @Sendable (TimeInterval) -> Void
    private let random: @Sendable () -> Double

    /// Attempts per model, the first included, for throttled or unavailable answers.
    static let maxAttempts = 3
    /// No attempt starts with less time than this left.
    static let minimumAttemptTime: TimeInterval = 0.05

    public init(
        client: BedrockRuntimeClient, settings: AnalysisSettings, ledger: SpendLedger, clock: any WallClock,
        logger: Logger, sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        // The retries are ours, within the deadline: the client makes exactly one attempt per call.
        self.client = client.singleAttempt()
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.sleep = sleep
        self.random = random
    }

    enum FailureKind: Equatable {
        case retired, needsProfile, throttled, unavailable, deadline, budget, other
    }

    enum Outcome {
        case answered(BedrockCompletion, model: String)
        case failed(reason: String, kind: FailureKind, model: String)
    }

    /// Usage, attempts and notes gathered over all attempts.
    struct Progress {
        var attempts = 0
        var usage = AnalysisResult.Usage(inputTokens: 0, outputTokens: 0, estimatedCostUSD: 0)
        var notes: [String] = []
    }

    public func analyse(_ prompt: BuiltPrompt) -> AnalysisResult {
        let primary = settings.modelId
        guard settings.enabled else {
            return .rulesOnly("model analysis is disabled in the configuration", modelId: nil)
        }
        let deadline = clock.now().addingTimeInterval(settings.timeout)
        var progress = Progress()
        var outcome = call(primary, maxAttempts: Self.maxAttempts, prompt, deadline, &progress)
        if case .failed(let reason, .needsProfile, _) = outcome,
            let profile = settings.catalogue.profile(for: primary, region: client.region)
        {
            logger.warning(
                "model answers only through an inference profile; trying the region's profile once",
                metadata: ["model.id": "\(primary)", "model.profile": "\(profile)"])
            progress.notes.append("\(reason); tried \(profile) instead")
            outcome = call(profile, maxAttempts: Self.maxAttempts, prompt, deadline, &progress)
            if case .failed(let again, let kind, let model) = outcome {
                outcome = .failed(reason: "\(reason); \(profile): \(again)", kind: kind, model: model)
            }
        }
        if case .failed(let reason, let kind, let model) = outcome,
            [.throttled, .unavailable, .retired, .needsProfile].contains(kind),
            let fallback = settings.fallbackModelId, fallback != model, fallback != primary
        {
            logger.warning(
                "trying the fallback model once",
                metadata: ["model.id": "\(model)", "model.fallback": "\(fallback)", "reason": "\(reason)"])
            progress.notes.append("\(reason); the fallback model \(fallback) was tried")
            outcome = call(fallback, maxAttempts: 1, prompt, deadline, &progress)
            if case .failed(let second, let secondKind, let secondModel) = outcome {
                outcome = .failed(
                    reason: "\(reason); fallback \(fallback): \(second)", kind: secondKind, model: secondModel)
            }
        }
        switch outcome {
        case .failed(let reason, _, let model):
            logger.warning(
                "model analysis unavailable",
                metadata: ["model.id": "\(model)", "reason": "\(reason)", "model.attempts": "\(progress.attempts)"])
            var result = AnalysisResult.rulesOnly(reason, modelId: primary, usage: progress.usage)
            result.attempts = progress.attempts
            result.notes = progress.notes
            return result
        case .answered(let completion, let model):
            return result(completion, answeredBy: model, progress)
        }
    }

    private func result(_ completion: BedrockCompletion, answeredBy model: String, _ progress: Progress)
        -> AnalysisResult
    {
        var result: AnalysisResult
        if let answer = Self.parseAnswer(completion.text) {
            result = AnalysisResult(
                source: .bedrock, modelId: settings.modelId, answeredBy: model, summary: answer.summary,
                rootCause: answer.rootCause, findings: answer.findings.map(\.finding), modelFindings: answer.findings,
                actions: answer.actions, narrative: completion.text, unavailableReason: nil, usage: progress.usage)
        } else {
            let reason =
                completion.truncated
                ? "the model's answer was cut off at max_output_tokens (\(settings.maxOutputTokens)) before its JSON was complete; raise analysis.bedrock.max_output_tokens"
                : "the model's answer was not the requested JSON"
            result = .rulesOnly(reason, modelId: settings.modelId, usage: progress.usage)
            result.answeredBy = model
            result.narrative = completion.text
        }
        result.truncated = completion.truncated
        result.attempts = progress.attempts
        result.notes = progress.notes
        if completion.truncated {
            logger.warning(
                "model answer truncated at max_output_tokens",
                metadata: ["model.id": "\(model)", "model.max_output_tokens": "\(settings.maxOutputTokens)"])
        }
        return result
    }

    /// Calls `model` until it answers, the failure is not worth retrying, `maxAttempts` are used,
    /// the budget would be passed, or the deadline leaves no time.
    private func call(
        _ model: String, maxAttempts: Int, _ prompt: BuiltPrompt, _ deadline: Date, _ progress: inout Progress
    ) -> Outcome {
        let price = settings.price(model)
        let request = BedrockPrompt(
            system: prompt.system, user: prompt.user, maxTokens: settings.maxOutputTokens,
            temperature: settings.temperature, cacheSystem: settings.catalogue.model(model)?.promptCache ?? false)
        let timedOut = "Bedrock did not answer within \(String(format: "%g", settings.timeout)) s"
        var attempt = 0
        while true {
            let remaining = deadline.timeIntervalSince(clock.now())
            guard remaining >= Self.minimumAttemptTime else {
                return .failed(reason: timedOut, kind: .deadline, model: model)
            }
            if let price {
                let worstCase = price.cost(input: prompt.estimatedTokens, output: settings.maxOutputTokens)
                let spent = ledger.spent(on: clock.now())
                guard spent + worstCase <= settings.dailyBudgetUSD else {
                    let reason = String(
                        format: "daily model budget of $%.2f reached ($%.4f spent today)", settings.dailyBudgetUSD,
                        spent)
                    return .failed(reason: reason, kind: .budget, model: model)
                }
            }
            attempt += 1
            progress.attempts += 1
            let failure: (reason: String, kind: FailureKind)
            do {
                let completion =
                    settings.api == .converse
                    ? try client.converse(modelId: model, prompt: request, timeout: remaining)
                    : try client.invokeModel(modelId: model, prompt: request, timeout: remaining)
                charge(
                    model, price, &progress, input: completion.inputTokens ?? prompt.estimatedTokens,
                    output: completion.outputTokens ?? PromptBuilder.estimateTokens(completion.text),
                    cacheRead: completion.cacheReadTokens ?? 0, cacheWrite: completion.cacheWriteTokens ?? 0)
                return .answered(completion, model: model)
            } catch let error as AWSError {
                // The model ran but gave no answer: the input was processed (and may be billed).
                if ["ModelTimeoutException", "ModelErrorException"].contains(error.code) {
                    charge(model, price, &progress, input: prompt.estimatedTokens)
                }
                let bedrock =
                    "Bedrock \(error.code): \(error.message)" + (error.requestId.map { " (request id \($0))" } ?? "")
                if let problem = BedrockModelProblem(error) {
                    return .failed(
                        reason: "\(explain(problem, model)) (\(bedrock))",
                        kind: problem == .needsInferenceProfile ? .needsProfile : .retired, model: model)
                }
                if RetryPolicy.throttlingCodes.contains(error.code) {
                    failure = (bedrock, .throttled)
                } else if RetryPolicy().retryCost(of: .service(code: error.code, httpStatus: error.httpStatus)) != nil {
                    failure = (bedrock, .unavailable)
                } else {
                    return .failed(reason: bedrock, kind: .other, model: model)
                }
            } catch let error as TransportError {
                switch error.kind {
                case .timeout:
                    // Sent, never answered: count the input, Bedrock may have processed it.
                    charge(model, price, &progress, input: prompt.estimatedTokens)
                    return .failed(reason: timedOut, kind: .deadline, model: model)
                case .connection:
                    failure = ("Bedrock call failed: \(error)", .unavailable)
                default:
                    return .failed(reason: "Bedrock call failed: \(error)", kind: .other, model: model)
                }
            } catch {
                return .failed(reason: "Bedrock call failed: \(error)", kind: .other, model: model)
            }
            // Backoff as the SDKs' 2026 standard mode: 1 s base for throttling, 50 ms otherwise.
            let base = failure.kind == .throttled ? 1.0 : 0.05
            let delay = random() * min(base * pow(2, Double(attempt - 1)), 20)
            guard attempt < maxAttempts,
                clock.now().addingTimeInterval(delay + Self.minimumAttemptTime) < deadline
            else { return .failed(reason: failure.reason, kind: failure.kind, model: model) }
            logger.debug(
                "model call failed; retrying",
                metadata: [
                    "model.id": "\(model)", "reason": "\(failure.reason)", "retry.delay_ms": "\(Int(delay * 1000))",
                ])
            sleep(delay)
        }
    }

    /// Adds one attempt's tokens to the usage and, priced, to the ledger.
    private func charge(
        _ model: String, _ price: BedrockModelCatalogue.Price?, _ progress: inout Progress, input: Int,
        output: Int = 0, cacheRead: Int = 0, cacheWrite: Int = 0
    ) {
        progress.usage.inputTokens += input
        progress.usage.outputTokens += output
        progress.usage.cacheReadTokens += cacheRead
        progress.usage.cacheWriteTokens += cacheWrite
        guard let price else {
            if progress.usage.costKnown {
                progress.usage.costKnown = false
                progress.notes.append(
                    "cost unknown: no price for \(model) in the catalogue or analysis.bedrock.prices (not counted against the daily budget)"
                )
                logger.warning("model has no price; its cost is not counted", metadata: ["model.id": "\(model)"])
            }
            return
        }
        let cost = price.cost(input: input, output: output, cacheRead: cacheRead, cacheWrite: cacheWrite)
        progress.usage.estimatedCostUSD += cost
        ledger.add(cost, on: clock.now())
    }

    /// What to change for a lifecycle or profile answer, naming the key and a model that works.
    func explain(_ problem: BedrockModelProblem, _ model: String) -> String {
        let key = model == settings.fallbackModelId ? "analysis.bedrock.fallback_model_id" : "analysis.bedrock.model_id"
        return Self.advice(problem, model: model, key: key, region: client.region, catalogue: settings.catalogue)
    }

    /// The sentence for a lifecycle or profile answer: what happened to `model` and what to set
    /// `key` to (the catalogue's replacement, else the default model; the region's profile).
    public static func advice(
        _ problem: BedrockModelProblem, model: String, key: String, region: String,
        catalogue: BedrockModelCatalogue = .builtIn
    ) -> String {
        let entry = catalogue.model(model)
        let replacement = entry?.replacement ?? AnalysisSettings().modelId
        switch problem {
        case .endOfLife:
            let date = entry?.lifecycle.eol.map { " on \($0)" } ?? ""
            return "model \(model) reached end of life on Bedrock\(date); set \(key) to \(replacement)"
        case .legacy:
            let date = entry?.lifecycle.eol.map { " (end of life \($0))" } ?? ""
            return
                "model \(model) is Legacy on Bedrock and this account may no longer use it\(date); set \(key) to \(replacement)"
        case .needsInferenceProfile:
            let profile = catalogue.profile(for: model, region: region) ?? "global.\(catalogue.parse(model).base)"
            return
                "model \(model) is not offered on demand, only through an inference profile; set \(key) to \(profile)"
        }
    }

    /// The answer parser, for the fuzz target: true when `text` held a usable answer.
    public static func parseAnswerForFuzzing(_ text: String) -> Bool {
        parseAnswer(text) != nil
    }

    struct Answer {
        var summary: String
        var rootCause: String?
        var findings: [ModelFinding]
        var actions: [String]
    }

    /// The JSON object in the model's text (prose around it tolerated), validated: a non-empty
    /// summary; findings with known categories, confidences clamped to 0…1 and the service named
    /// (null or empty: none); string actions.
    static func parseAnswer(_ text: String) -> Answer? {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
            let object = try? JSONSerialization.jsonObject(with: Data(text[start...end].utf8)) as? [String: Any],
            let summary = object["summary"] as? String, !summary.trimmingCharacters(in: .whitespaces).isEmpty
        else { return nil }
        let findings = (object["findings"] as? [[String: Any]] ?? []).compactMap { item -> ModelFinding? in
            guard let raw = item["category"] as? String, let category = FindingCategory(rawValue: raw),
                let title = item["title"] as? String
            else { return nil }
            let confidence = (item["confidence"] as? NSNumber)?.doubleValue ?? 0.5
            let service = (item["service"] as? String).flatMap { $0.isEmpty || $0 == "null" ? nil : $0 }
            return ModelFinding(
                category: category, title: title, confidence: min(1, max(0, confidence)),
                evidence: (item["evidence"] as? [Any] ?? []).compactMap { $0 as? String }, service: service)
        }
        return Answer(
            summary: summary, rootCause: object["root_cause"] as? String, findings: findings,
            actions: (object["actions"] as? [Any] ?? []).compactMap { $0 as? String })
    }
}

import AWSCore
import AWSServices
import Dispatch
import Foundation
import Logging
import Synchronization

/// What the model said, or why there is no model analysis.
public struct AnalysisResult: Sendable, Equatable, Codable {
    public struct Usage: Sendable, Equatable, Codable {
        public var inputTokens: Int
        public var outputTokens: Int
        public var estimatedCostUSD: Double
    }

    /// `bedrock` when the model answered usefully, else `rules`.
    public var source: String
    public var modelId: String?
    public var summary: String?
    public var rootCause: String?
    public var findings: [Finding]
    public var actions: [String]
    /// The model's text as it answered (redacted prompts in, so nothing secret comes back).
    public var narrative: String?
    public var unavailableReason: String?
    public var usage: Usage

    static func rulesOnly(
        _ reason: String, modelId: String?, usage: Usage = Usage(inputTokens: 0, outputTokens: 0, estimatedCostUSD: 0)
    )
        -> AnalysisResult
    {
        AnalysisResult(
            source: "rules", modelId: modelId, summary: nil, rootCause: nil, findings: [], actions: [], narrative: nil,
            unavailableReason: reason, usage: usage)
    }
}

/// Model settings (the `analysis.bedrock` section).
public struct AnalysisSettings: Sendable, Equatable {
    public enum API: String, Sendable { case converse, invoke }
    public var enabled = true
    public var modelId = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    public var api = API.converse
    public var maxOutputTokens = 1500
    public var temperature = 0.2
    /// The whole analysis, retries included, must finish within this.
    public var timeout: TimeInterval = 60
    public var dailyBudgetUSD = 20.0
    /// USD per 1,000 input and output tokens, by a substring of the model id; the first match wins.
    public var prices: [(match: String, input: Double, output: Double)] = AnalysisSettings.defaultPrices

    public init() {}

    public static func == (lhs: AnalysisSettings, rhs: AnalysisSettings) -> Bool {
        lhs.enabled == rhs.enabled && lhs.modelId == rhs.modelId && lhs.api == rhs.api
            && lhs.maxOutputTokens == rhs.maxOutputTokens && lhs.temperature == rhs.temperature
            && lhs.timeout == rhs.timeout
            && lhs.dailyBudgetUSD == rhs.dailyBudgetUSD
    }

    /// On-demand list prices (USD per 1K tokens) as published for us-east-1; unknown models are
    /// priced like the most expensive listed, so the budget errs on the safe side.
    public static let defaultPrices: [(match: String, input: Double, output: Double)] = [
        ("claude-3-5-haiku", 0.0008, 0.004), ("claude-3-haiku", 0.00025, 0.00125), ("claude-3-5-sonnet", 0.003, 0.015),
        ("claude-3-7-sonnet", 0.003, 0.015), ("claude-sonnet-4", 0.003, 0.015), ("claude-3-opus", 0.015, 0.075),
        ("nova-micro", 0.000035, 0.00014), ("nova-lite", 0.00006, 0.00024), ("nova-pro", 0.0008, 0.0032),
        ("titan-text-lite", 0.00015, 0.0002), ("titan-text-express", 0.0002, 0.0006),
        ("titan-text-premier", 0.0005, 0.0015),
        ("llama3-1-8b", 0.00022, 0.00022), ("llama3-1-70b", 0.00072, 0.00072), ("mistral-large", 0.004, 0.012),
        ("mistral-small", 0.001, 0.003),
    ]

    /// USD per 1,000 input and output tokens for `modelId`.
    public func price(_ modelId: String) -> (input: Double, output: Double) {
        if let found = prices.first(where: { modelId.contains($0.match) }) { return (found.input, found.output) }
        return (0.015, 0.075)
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

/// Asks Bedrock for a diagnosis (Converse, or InvokeModel with the family's body), within the
/// analysis timeout and the daily budget. Any failure, timeout, denial or budget stop yields a
/// rules-only result saying why; throttling is retried by the client within the timeout.
public struct BedrockAnalyser: Sendable {
    private let client: BedrockRuntimeClient
    private let settings: AnalysisSettings
    private let ledger: SpendLedger
    private let clock: any WallClock
    private let logger: Logger

    public init(
        client: BedrockRuntimeClient, settings: AnalysisSettings, ledger: SpendLedger, clock: any WallClock,
        logger: Logger
    ) {
        self.client = client
        self.settings = settings
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
    }

    public func analyse(_ prompt: BuiltPrompt) -> AnalysisResult {
        let model = settings.modelId
        guard settings.enabled else {
            return .rulesOnly("model analysis is disabled in the configuration", modelId: nil)
        }
        let price = settings.price(model)
        let worstCase =
            Double(prompt.estimatedTokens) / 1000 * price.input + Double(settings.maxOutputTokens) / 1000 * price.output
        let spent = ledger.spent(on: clock.now())
        guard spent + worstCase <= settings.dailyBudgetUSD else {
            return .rulesOnly(
                String(
                    format: "daily model budget of $%.2f reached ($%.4f spent today)", settings.dailyBudgetUSD, spent),
                modelId: model)
        }
        let request = BedrockPrompt(
            system: prompt.system, user: prompt.user, maxTokens: settings.maxOutputTokens,
            temperature: settings.temperature)
        let outcome = Mutex<Result<BedrockCompletion, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        let settings = self.settings
        DispatchQueue.global().async {
            let result: Result<BedrockCompletion, any Error> = Result {
                switch settings.api {
                case .converse: return try client.converse(modelId: model, prompt: request, timeout: settings.timeout)
                case .invoke: return try client.invokeModel(modelId: model, prompt: request, timeout: settings.timeout)
                }
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + settings.timeout) == .success, let result = outcome.withLock({ $0 }) else {
            logger.warning("model analysis timed out", metadata: ["model.id": "\(model)"])
            return .rulesOnly("Bedrock did not answer within \(Int(settings.timeout)) s", modelId: model)
        }
        switch result {
        case .failure(let error):
            let reason: String
            if let aws = error as? AWSError {
                reason = "Bedrock \(aws.code): \(aws.message)" + (aws.requestId.map { " (request id \($0))" } ?? "")
            } else {
                reason = "Bedrock call failed: \(error)"
            }
            logger.warning("model analysis unavailable", metadata: ["model.id": "\(model)", "reason": "\(reason)"])
            return .rulesOnly(reason, modelId: model)
        case .success(let completion):
            let input = completion.inputTokens ?? prompt.estimatedTokens
            let output = completion.outputTokens ?? PromptBuilder.estimateTokens(completion.text)
            let cost = Double(input) / 1000 * price.input + Double(output) / 1000 * price.output
            ledger.add(cost, on: clock.now())
            let usage = AnalysisResult.Usage(inputTokens: input, outputTokens: output, estimatedCostUSD: cost)
            guard let answer = Self.parseAnswer(completion.text) else {
                var result = AnalysisResult.rulesOnly(
                    "the model's answer was not the requested JSON", modelId: model, usage: usage)
                result.narrative = completion.text
                return result
            }
            return AnalysisResult(
                source: "bedrock", modelId: model, summary: answer.summary, rootCause: answer.rootCause,
                findings: answer.findings, actions: answer.actions, narrative: completion.text, unavailableReason: nil,
                usage: usage)
        }
    }

    /// The answer parser, for the fuzz target: true when `text` held a usable answer.
    public static func parseAnswerForFuzzing(_ text: String) -> Bool {
        parseAnswer(text) != nil
    }

    struct Answer {
        var summary: String
        var rootCause: String?
        var findings: [Finding]
        var actions: [String]
    }

    /// The JSON object in the model's text (prose around it tolerated), validated: a non-empty
    /// summary; findings with known categories and confidences clamped to 0…1; string actions.
    static func parseAnswer(_ text: String) -> Answer? {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
            let object = try? JSONSerialization.jsonObject(with: Data(text[start...end].utf8)) as? [String: Any],
            let summary = object["summary"] as? String, !summary.trimmingCharacters(in: .whitespaces).isEmpty
        else { return nil }
        let findings = (object["findings"] as? [[String: Any]] ?? []).compactMap { item -> Finding? in
            guard let raw = item["category"] as? String, let category = FindingCategory(rawValue: raw),
                let title = item["title"] as? String
            else { return nil }
            let confidence = (item["confidence"] as? NSNumber)?.doubleValue ?? 0.5
            return Finding(
                category: category, title: title, confidence: confidence,
                evidence: (item["evidence"] as? [Any] ?? []).compactMap { $0 as? String })
        }
        return Answer(
            summary: summary, rootCause: object["root_cause"] as? String, findings: findings,
            actions: (object["actions"] as? [Any] ?? []).compactMap { $0 as? String })
    }
}

import AWSCore
import Foundation

/// The request/response body family of a model for InvokeModel.
public enum BedrockModelFamily: String, Sendable, CaseIterable, Decodable {
    case anthropic, titan, nova, llama, mistral

    /// The body family of a model id, an inference profile id (`global.anthropic…`), or a
    /// foundation-model / system inference-profile ARN, from the model catalogue. Application
    /// inference profiles are opaque: nil, and the family must be configured.
    public init?(modelId: String) {
        guard let family = BedrockModelCatalogue.builtIn.body(modelId) else { return nil }
        self = family
    }
}

/// What to ask a model: system instructions, one user message, output limits.
public struct BedrockPrompt: Sendable, Equatable {
    public var system: String
    public var user: String
    public var maxTokens: Int
    public var temperature: Double
    /// Put a prompt-cache point after the system instructions (only for models that support it:
    /// others reject the block).
    public var cacheSystem: Bool

    public init(system: String, user: String, maxTokens: Int, temperature: Double, cacheSystem: Bool = false) {
        self.system = system
        self.user = user
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.cacheSystem = cacheSystem
    }
}

/// A model's answer with token usage when the API reports it.
public struct BedrockCompletion: Sendable, Equatable {
    public var text: String
    public var stopReason: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Input tokens read from the prompt cache, and written to it.
    public var cacheReadTokens: Int?
    public var cacheWriteTokens: Int?

    public init(
        text: String, stopReason: String?, inputTokens: Int? = nil, outputTokens: Int? = nil,
        cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil
    ) {
        self.text = text
        self.stopReason = stopReason
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
    }

    /// The answer stopped at the output limit: Converse/Anthropic/Nova `max_tokens`, Titan `LENGTH`,
    /// Llama and Mistral `length`.
    public var truncated: Bool {
        ["max_tokens", "length", "LENGTH", "model_context_window_exceeded"].contains(stopReason ?? "")
    }
}

/// Answers that mean "change the configured model", not "try again later" (lifecycle texts of
/// `ResourceNotFoundException`, the on-demand `ValidationException`).
public enum BedrockModelProblem: String, Sendable, Equatable {
    /// "This model version has reached the end of its life…"
    case endOfLife
    /// "…marked by provider as Legacy and you have not been actively using the model…"
    case legacy
    /// "Invocation of model ID … with on-demand throughput isn't supported…"
    case needsInferenceProfile

    public init?(_ error: AWSError) {
        // Reported with a straight and with a typographic apostrophe ("isn’t"): both count.
        let message = error.message.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        if error.code == "ResourceNotFoundException", message.contains("end of its life") {
            self = .endOfLife
        } else if error.code == "ResourceNotFoundException", message.contains("legacy") {
            self = .legacy
        } else if error.code == "ValidationException", message.contains("on-demand throughput isn"),
            message.contains("inference profile")
        {
            self = .needsInferenceProfile
        } else {
            return nil
        }
    }
}

/// How a Bedrock call failed, for the report's "model analysis missing because …".
public enum BedrockFailureKind: String, Sendable, Equatable {
    case throttled, timeout, validation, accessDenied, notFound, unavailable, notReady, modelError, quota, other

    /// Classifies a Bedrock Runtime error code.
    public init(code: String) {
        switch code {
        case "ThrottlingException": self = .throttled
        case "ModelTimeoutException": self = .timeout
        case "ValidationException": self = .validation
        case "AccessDeniedException": self = .accessDenied
        case "ResourceNotFoundException": self = .notFound
        case "ServiceUnavailableException", "InternalServerException": self = .unavailable
        case "ModelNotReadyException": self = .notReady
        case "ModelErrorException", "ModelStreamErrorException": self = .modelError
        case "ServiceQuotaExceededException": self = .quota
        default: self = .other
        }
    }
}

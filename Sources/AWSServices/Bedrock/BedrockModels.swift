import AWSCore
import Foundation

/// The request/response body family of a model for InvokeModel.
public enum BedrockModelFamily: String, Sendable, CaseIterable {
    case anthropic, titan, nova, llama, mistral

    /// The family of a model id, a cross-region inference profile id (`us.anthropic…`), or a
    /// foundation-model / system inference-profile ARN. Application inference profiles are opaque:
    /// nil, and the family must be configured.
    public init?(modelId: String) {
        var id = modelId
        if id.hasPrefix("arn:") {
            guard let slash = id.lastIndex(of: "/") else { return nil }
            id = String(id[id.index(after: slash)...])
        }
        for geography in ["us.", "eu.", "apac.", "us-gov.", "global.", "ca.", "jp.", "au."]
        where id.hasPrefix(geography) {
            id = String(id.dropFirst(geography.count))
            break
        }
        if id.hasPrefix("anthropic.") {
            self = .anthropic
        } else if id.hasPrefix("amazon.titan-text") {
            self = .titan
        } else if id.hasPrefix("amazon.nova") {
            self = .nova
        } else if id.hasPrefix("meta.llama") {
            self = .llama
        } else if id.hasPrefix("mistral.") {
            self = .mistral
        } else {
            return nil
        }
    }
}

/// What to ask a model: system instructions, one user message, output limits.
public struct BedrockPrompt: Sendable, Equatable {
    public var system: String
    public var user: String
    public var maxTokens: Int
    public var temperature: Double

    public init(system: String, user: String, maxTokens: Int, temperature: Double) {
        self.system = system
        self.user = user
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

/// A model's answer with token usage when the API reports it.
public struct BedrockCompletion: Sendable, Equatable {
    public var text: String
    public var stopReason: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
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

import AWSCore
import Foundation

/// Amazon Bedrock Runtime (REST-JSON, signing name `bedrock`): Converse, and InvokeModel with the
/// Anthropic Messages, Titan Text, Nova, Llama and Mistral bodies.
public struct BedrockRuntimeClient: Sendable {
    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .bedrockRuntime, "BedrockRuntimeClient needs a Bedrock Runtime AWSClient")
        self.client = client
    }

    /// This client without retries inside a call: every attempt is the caller's to make.
    public func singleAttempt() -> BedrockRuntimeClient {
        BedrockRuntimeClient(client: client.with(policy: RetryPolicy(maxAttempts: 1)))
    }

    /// The region the calls are signed for (the analyser picks a geography profile from it).
    public var region: String { client.region }

    /// The wire path for a model id or ARN: the whole id is one label, so `:` and `/` are encoded.
    static func path(_ modelId: String, _ action: String) -> String {
        "/model/\(SigV4Encoding.uriEncode(modelId, keepSlash: false))/\(action)"
    }

    /// Converse: model-agnostic messages API.
    public func converse(modelId: String, prompt: BedrockPrompt, timeout: TimeInterval = 60) throws -> BedrockCompletion
    {
        var system: [[String: Any]] = [["text": prompt.system]]
        // The fixed instructions come first: a cache point after them lets repeated incidents read
        // them from the prompt cache (honoured once the prefix reaches the model's minimum size).
        if prompt.cacheSystem { system.append(["cachePoint": ["type": "default"]]) }
        let body: [String: Any] = [
            "messages": [["role": "user", "content": [["text": prompt.user]]]],
            "system": system,
            "inferenceConfig": ["maxTokens": prompt.maxTokens, "temperature": prompt.temperature],
        ]
        let response = try client.rest(
            "Converse", method: "POST", path: Self.path(modelId, "converse"),
            headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: Array(try JSONSerialization.data(withJSONObject: body)), timeout: timeout)
        return try Self.parseConverse(response.body)
    }

    /// InvokeModel with the body format of `family` (inferred from the model id when nil).
    public func invokeModel(
        modelId: String, family: BedrockModelFamily? = nil, prompt: BedrockPrompt, timeout: TimeInterval = 60
    ) throws -> BedrockCompletion {
        guard let family = family ?? BedrockModelFamily(modelId: modelId) else {
            throw AWSResponseError(
                service: "bedrock", operation: "InvokeModel",
                reason: "cannot tell the body format of \(modelId); configure the model family")
        }
        let response = try client.rest(
            "InvokeModel", method: "POST", path: Self.path(modelId, "invoke"),
            headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: Array(try Self.invokeBody(family, prompt)), timeout: timeout)
        var completion = try Self.parseInvoke(family, response.body)
        // Token counts also come as headers for every family.
        completion.inputTokens =
            completion.inputTokens ?? response.headers["X-Amzn-Bedrock-Input-Token-Count"].flatMap { Int($0) }
        completion.outputTokens =
            completion.outputTokens ?? response.headers["X-Amzn-Bedrock-Output-Token-Count"].flatMap { Int($0) }
        return completion
    }

    /// The InvokeModel request body of a family.
    public static func invokeBody(_ family: BedrockModelFamily, _ prompt: BedrockPrompt) throws -> Data {
        let object: [String: Any]
        switch family {
        case .anthropic:
            var system: Any = prompt.system
            if prompt.cacheSystem {
                system = [["type": "text", "text": prompt.system, "cache_control": ["type": "ephemeral"]]]
            }
            object = [
                "anthropic_version": "bedrock-2023-05-31", "max_tokens": prompt.maxTokens, "system": system,
                "messages": [["role": "user", "content": [["type": "text", "text": prompt.user]]]],
                "temperature": prompt.temperature,
            ]
        case .titan:
            object = [
                "inputText": "\(prompt.system)\n\nUser: \(prompt.user)\nBot:",
                "textGenerationConfig": ["maxTokenCount": prompt.maxTokens, "temperature": prompt.temperature],
            ]
        case .nova:
            var system: [[String: Any]] = [["text": prompt.system]]
            if prompt.cacheSystem { system.append(["cachePoint": ["type": "default"]]) }
            object = [
                "schemaVersion": "messages-v1", "system": system,
                "messages": [["role": "user", "content": [["text": prompt.user]]]],
                "inferenceConfig": ["maxTokens": prompt.maxTokens, "temperature": prompt.temperature],
            ]
        case .llama:
            // Llama 3 chat template, applied by the caller as the model expects.
            let text =
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n\(prompt.system)<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n\(prompt.user)<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n"
            object = ["prompt": text, "max_gen_len": min(prompt.maxTokens, 2048), "temperature": prompt.temperature]
        case .mistral:
            object = [
                "prompt": "<s>[INST] \(prompt.system)\n\n\(prompt.user) [/INST]", "max_tokens": prompt.maxTokens,
                "temperature": prompt.temperature,
            ]
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Reads a Converse response.
    public static func parseConverse(_ body: [UInt8]) throws -> BedrockCompletion {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let output = object["output"] as? [String: Any], let message = output["message"] as? [String: Any],
            let content = message["content"] as? [[String: Any]]
        else { throw AWSResponseError(service: "bedrock", operation: "Converse", reason: "no output message") }
        let usage = object["usage"] as? [String: Any]
        // Converse names the cache counts cache{Read,Write}InputTokens; Nova's own body
        // cache{Read,Write}InputTokenCount.
        return BedrockCompletion(
            text: content.compactMap { $0["text"] as? String }.joined(), stopReason: object["stopReason"] as? String,
            inputTokens: usage?["inputTokens"] as? Int, outputTokens: usage?["outputTokens"] as? Int,
            cacheReadTokens: (usage?["cacheReadInputTokens"] ?? usage?["cacheReadInputTokenCount"]) as? Int,
            cacheWriteTokens: (usage?["cacheWriteInputTokens"] ?? usage?["cacheWriteInputTokenCount"]) as? Int)
    }

    /// Reads an InvokeModel response of a family.
    public static func parseInvoke(_ family: BedrockModelFamily, _ body: [UInt8]) throws -> BedrockCompletion {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw AWSResponseError(
                service: "bedrock", operation: "InvokeModel", reason: "response is not a JSON object")
        }
        func fail(_ reason: String) -> AWSResponseError {
            AWSResponseError(
                service: "bedrock", operation: "InvokeModel", reason: "\(family.rawValue) response: \(reason)")
        }
        switch family {
        case .anthropic:
            guard let content = object["content"] as? [[String: Any]] else { throw fail("no content") }
            let usage = object["usage"] as? [String: Any]
            return BedrockCompletion(
                text: content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined(),
                stopReason: object["stop_reason"] as? String, inputTokens: usage?["input_tokens"] as? Int,
                outputTokens: usage?["output_tokens"] as? Int,
                cacheReadTokens: usage?["cache_read_input_tokens"] as? Int,
                cacheWriteTokens: usage?["cache_creation_input_tokens"] as? Int)
        case .titan:
            guard let results = object["results"] as? [[String: Any]], let first = results.first else {
                throw fail("no results")
            }
            return BedrockCompletion(
                text: first["outputText"] as? String ?? "", stopReason: first["completionReason"] as? String,
                inputTokens: object["inputTextTokenCount"] as? Int, outputTokens: first["tokenCount"] as? Int)
        case .nova:
            return try parseConverse(body)
        case .llama:
            guard let text = object["generation"] as? String else { throw fail("no generation") }
            return BedrockCompletion(
                text: text, stopReason: object["stop_reason"] as? String,
                inputTokens: object["prompt_token_count"] as? Int,
                outputTokens: object["generation_token_count"] as? Int)
        case .mistral:
            guard let outputs = object["outputs"] as? [[String: Any]], let first = outputs.first else {
                throw fail("no outputs")
            }
            return BedrockCompletion(text: first["text"] as? String ?? "", stopReason: first["stop_reason"] as? String)
        }
    }
}

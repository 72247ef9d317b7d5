import AWSCore
import Foundation
import Testing

@testable import AWSServices

@Suite("Bedrock model families and bodies")
struct BedrockBodyTests {
    let prompt = BedrockPrompt(system: "You are an SRE.", user: "What broke?", maxTokens: 300, temperature: 0.2)

    @Test(
        "families from model ids, inference profiles and ARNs",
        arguments: [
            ("anthropic.claude-3-5-sonnet-20240620-v1:0", BedrockModelFamily.anthropic),
            ("us.anthropic.claude-3-5-haiku-20241022-v1:0", .anthropic),
            ("global.anthropic.claude-sonnet-4-5", .anthropic),
            ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-7", .anthropic),
            ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1", .titan),
            ("amazon.nova-lite-v1:0", .nova), ("apac.amazon.nova-pro-v1:0", .nova),
            ("meta.llama3-1-8b-instruct-v1:0", .llama),
            ("mistral.mistral-large-2402-v1:0", .mistral),
        ] as [(String, BedrockModelFamily)])
    func families(_ id: String, _ family: BedrockModelFamily) {
        #expect(BedrockModelFamily(modelId: id) == family)
    }

    @Test("application inference profiles and unknown models have no inferred family")
    func opaque() {
        #expect(
            BedrockModelFamily(modelId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123")
                == nil)
        #expect(BedrockModelFamily(modelId: "cohere.command-r-v1:0") == nil)
    }

    @Test("the model id is one path label: ':' and '/' are encoded")
    func path() {
        #expect(
            BedrockRuntimeClient.path("arn:aws:bedrock:us-east-1:1:inference-profile/us.x-v1:0", "invoke")
                == "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/invoke")
    }

    @Test("request bodies carry each family's required fields")
    func bodies() throws {
        func object(_ family: BedrockModelFamily) throws -> [String: Any] {
            try #require(
                try JSONSerialization.jsonObject(with: BedrockRuntimeClient.invokeBody(family, prompt))
                    as? [String: Any])
        }
        let anthropic = try object(.anthropic)
        #expect(anthropic["anthropic_version"] as? String == "bedrock-2023-05-31")
        #expect(anthropic["max_tokens"] as? Int == 300)
        #expect(anthropic["system"] as? String == "You are an SRE.")
        #expect(anthropic["model"] == nil)
        let titan = try object(.titan)
        #expect((titan["inputText"] as? String)?.hasSuffix("User: What broke?\nBot:") == true)
        #expect((titan["textGenerationConfig"] as? [String: Any])?["maxTokenCount"] as? Int == 300)
        let nova = try object(.nova)
        #expect(nova["schemaVersion"] as? String == "messages-v1")
        #expect((nova["inferenceConfig"] as? [String: Any])?["maxTokens"] as? Int == 300)
        let llama = try object(.llama)
        #expect((llama["prompt"] as? String)?.hasPrefix("<|begin_of_text|>") == true)
        #expect((llama["prompt"] as? String)?.hasSuffix("<|start_header_id|>assistant<|end_header_id|>\n\n") == true)
        let mistral = try object(.mistral)
        #expect((mistral["prompt"] as? String)?.hasPrefix("<s>[INST] ") == true)
    }

    @Test("responses of each family are read, with usage where the family reports it")
    func responses() throws {
        let anthropic = try BedrockRuntimeClient.parseInvoke(
            .anthropic,
            Array(
                #"{"content":[{"type":"text","text":"A"},{"type":"tool_use","id":"x"},{"type":"text","text":"B"}],"stop_reason":"end_turn","usage":{"input_tokens":412,"output_tokens":87}}"#
                    .utf8))
        #expect(anthropic == BedrockCompletion(text: "AB", stopReason: "end_turn", inputTokens: 412, outputTokens: 87))
        let titan = try BedrockRuntimeClient.parseInvoke(
            .titan,
            Array(
                #"{"inputTextTokenCount":15,"results":[{"tokenCount":42,"outputText":"T","completionReason":"FINISHED"}]}"#
                    .utf8))
        #expect(titan == BedrockCompletion(text: "T", stopReason: "FINISHED", inputTokens: 15, outputTokens: 42))
        let nova = try BedrockRuntimeClient.parseInvoke(
            .nova,
            Array(
                #"{"output":{"message":{"role":"assistant","content":[{"text":"N"}]}},"stopReason":"end_turn","usage":{"inputTokens":15,"outputTokens":120}}"#
                    .utf8))
        #expect(nova.text == "N" && nova.outputTokens == 120)
        let llama = try BedrockRuntimeClient.parseInvoke(
            .llama,
            Array(#"{"generation":"L","prompt_token_count":38,"generation_token_count":120,"stop_reason":"stop"}"#.utf8)
        )
        #expect(llama == BedrockCompletion(text: "L", stopReason: "stop", inputTokens: 38, outputTokens: 120))
        let mistral = try BedrockRuntimeClient.parseInvoke(
            .mistral, Array(#"{"outputs":[{"text":"M","stop_reason":"length"}]}"#.utf8))
        #expect(mistral.text == "M" && mistral.stopReason == "length")
        #expect(throws: AWSResponseError.self) { try BedrockRuntimeClient.parseInvoke(.anthropic, Array(#"{}"#.utf8)) }
        #expect(throws: AWSResponseError.self) { try BedrockRuntimeClient.parseConverse(Array("not json".utf8)) }
    }

    @Test(
        "error codes map to failure kinds",
        arguments: [
            ("ThrottlingException", BedrockFailureKind.throttled), ("ModelTimeoutException", .timeout),
            ("ValidationException", .validation), ("AccessDeniedException", .accessDenied),
            ("ServiceUnavailableException", .unavailable), ("ModelNotReadyException", .notReady), ("Whatever", .other),
        ] as [(String, BedrockFailureKind)])
    func failureKinds(_ code: String, _ kind: BedrockFailureKind) {
        #expect(BedrockFailureKind(code: code) == kind)
    }
}

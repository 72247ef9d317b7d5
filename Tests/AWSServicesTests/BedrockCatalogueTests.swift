import AWSCore
import Foundation
import Testing

@testable import AWSServices

@Suite("Bedrock model catalogue, lifecycle answers, control-plane and cache bodies")
struct BedrockCatalogueTests {
    let catalogue = BedrockModelCatalogue.builtIn

    @Test("the catalogue decodes; prices are dated and positive; retired families name an active replacement")
    func catalogueIsConsistent() throws {
        #expect(catalogue.models.count >= 20)
        #expect(catalogue.checkedOn == "2026-12-02")
        let day = /^\d{4}-\d{2}-\d{2}$/
        for model in catalogue.models {
            #expect(!model.ids.isEmpty && model.ids.allSatisfy { !$0.isEmpty }, "\(model.family)")
            if let price = model.price {
                #expect(price.input > 0 && price.output > 0, "\(model.family)")
                #expect(price.taken.map { $0.wholeMatch(of: day) != nil } == true, "\(model.family)")
                #expect(price.source?.isEmpty == false, "\(model.family)")
            }
            for date in [model.lifecycle.eol, model.lifecycle.legacySince, model.lifecycle.eolNotBefore] {
                if let date { #expect(date.wholeMatch(of: day) != nil, "\(model.family): \(date)") }
            }
            guard model.lifecycle.status != .active else { continue }
            let replacement = try #require(model.replacement, "\(model.family) has no replacement")
            #expect(catalogue.model(replacement)?.lifecycle.status == .active, "\(model.family) → \(replacement)")
        }
        // The default model is catalogued, active, priced, cached and profile-only.
        let sonnet = try #require(catalogue.model("global.anthropic.claude-sonnet-4-6"))
        #expect(sonnet.lifecycle.status == .active && !sonnet.onDemand && sonnet.promptCache)
        #expect(
            sonnet.price
                == .init(
                    input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, taken: "2026-12-02",
                    source: sonnet.price?.source))
        #expect(sonnet.contextTokens == 200_000 && sonnet.profiles.contains("global"))
    }

    @Test(
        "IDs, profile IDs and ARNs: geography split and longest-prefix family",
        arguments: [
            ("anthropic.claude-3-5-sonnet-20240620-v1:0", nil, "Claude 3.5 Sonnet", BedrockModelFamily.anthropic),
            ("jp.anthropic.claude-sonnet-4-6", "jp", "Claude Sonnet 4.6", .anthropic),
            ("au.anthropic.claude-sonnet-4-5-20250929-v1:0", "au", "Claude Sonnet 4.5", .anthropic),
            ("us.anthropic.claude-opus-4-1-20250805-v1:0", "us", "Claude Opus 4.1", .anthropic),
            ("anthropic.claude-opus-4-20250514-v1:0", nil, "Claude Opus 4", .anthropic),
            ("anthropic.claude-3-haiku-20240307-v1:0", nil, "Claude 3 Haiku", .anthropic),
            (
                "arn:aws:bedrock:us-east-1:1:inference-profile/global.amazon.nova-2-lite-v1:0", "global",
                "Amazon Nova 2 Lite", .nova
            ),
            ("us-gov.meta.llama3-2-11b-instruct-v1:0", "us-gov", "Meta Llama 3.2", .llama),
        ] as [(String, String?, String, BedrockModelFamily)])
    func lookup(_ id: String, _ geography: String?, _ family: String, _ body: BedrockModelFamily) {
        #expect(catalogue.parse(id).geography == geography)
        #expect(catalogue.model(id)?.family == family)
        #expect(BedrockModelFamily(modelId: id) == body)
    }

    @Test("uncatalogued models: the provider's body, no price; application profiles are opaque")
    func unknown() {
        #expect(catalogue.model("anthropic.claude-fable-5") == nil)
        #expect(BedrockModelFamily(modelId: "global.anthropic.claude-fable-5") == .anthropic)
        #expect(BedrockModelFamily(modelId: "moonshotai.kimi-k2.5") == nil)
        #expect(
            BedrockModelFamily(
                modelId: "arn:aws:bedrock:us-east-1:1:application-inference-profile/anthropic.claude-x") == nil)
    }

    @Test(
        "the geography profile for a profile-only base ID in a region",
        arguments: [
            ("anthropic.claude-sonnet-4-6", "us-east-1", "us.anthropic.claude-sonnet-4-6"),
            ("anthropic.claude-sonnet-4-6", "eu-central-1", "eu.anthropic.claude-sonnet-4-6"),
            ("anthropic.claude-sonnet-4-6", "ap-northeast-3", "jp.anthropic.claude-sonnet-4-6"),
            // Sonnet 4.6 has no apac. profile: global.
            ("anthropic.claude-sonnet-4-6", "ap-southeast-1", "global.anthropic.claude-sonnet-4-6"),
            ("anthropic.claude-sonnet-4-6", "sa-east-1", "global.anthropic.claude-sonnet-4-6"),
            ("anthropic.claude-opus-4-6-v1", "ap-south-1", "apac.anthropic.claude-opus-4-6-v1"),
            // Unknown to the catalogue: the region's geography.
            ("anthropic.claude-fable-5", "ap-southeast-2", "au.anthropic.claude-fable-5"),
        ] as [(String, String, String)])
    func profiles(_ model: String, _ region: String, _ profile: String) {
        #expect(catalogue.profile(for: model, region: region) == profile)
    }

    @Test("no profile for a profile ID, an ARN, or a model without one in reach")
    func noProfile() {
        #expect(catalogue.profile(for: "us.anthropic.claude-sonnet-4-6", region: "us-east-1") == nil)
        #expect(catalogue.profile(for: "arn:aws:bedrock:us-east-1::foundation-model/x.y", region: "us-east-1") == nil)
        // Opus 4.1 has only us.
        #expect(catalogue.profile(for: "anthropic.claude-opus-4-1-20250805-v1:0", region: "eu-west-1") == nil)
    }

    func error(_ code: String, _ message: String) -> AWSError {
        AWSError(
            code: code, message: message, httpStatus: 404, requestId: "r", service: "bedrock", operation: "Converse")
    }

    @Test("the documented lifecycle and profile texts are configuration problems; other errors are not")
    func problems() {
        #expect(
            BedrockModelProblem(
                error(
                    "ResourceNotFoundException",
                    "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
                )) == .endOfLife)
        #expect(
            BedrockModelProblem(
                error(
                    "ResourceNotFoundException",
                    "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock"
                )) == .legacy)
        #expect(
            BedrockModelProblem(
                error(
                    "ValidationException",
                    "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
                )) == .needsInferenceProfile, "as reported, with a typographic apostrophe")
        #expect(
            BedrockModelProblem(
                error(
                    "ValidationException",
                    "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model."
                )) == .needsInferenceProfile)
        #expect(BedrockModelProblem(error("ResourceNotFoundException", "Model not found")) == nil)
        #expect(BedrockModelProblem(error("AccessDeniedException", "end of its life")) == nil)
        #expect(BedrockModelProblem(error("ValidationException", "The provided model identifier is invalid.")) == nil)
    }

    @Test("GetFoundationModel and GetInferenceProfile responses")
    func controlPlane() throws {
        let model = try BedrockControlClient.parseFoundationModel(
            Array(
                #"{"modelDetails":{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-1-20250805-v1:0","modelId":"anthropic.claude-opus-4-1-20250805-v1:0","providerName":"Anthropic","inferenceTypesSupported":["INFERENCE_PROFILE"],"modelLifecycle":{"status":"LEGACY","startOfLifeTime":"2025-08-05T00:00:00Z","legacyTime":"2026-07-08T00:00:00Z","endOfLifeTime":"2027-01-08T00:00:00.000Z","publicExtendedAccessTime":"2026-10-08T00:00:00Z"}}}"#
                    .utf8))
        #expect(model.modelId == "anthropic.claude-opus-4-1-20250805-v1:0")
        #expect(model.status == "LEGACY" && model.inferenceTypes == ["INFERENCE_PROFILE"])
        #expect(model.endOfLifeTime.map(AWSTimestamp.format) == "2027-01-08T00:00:00Z")
        #expect(model.legacyTime.map(AWSTimestamp.format) == "2026-07-08T00:00:00Z")
        let profile = try BedrockControlClient.parseInferenceProfile(
            Array(
                #"{"inferenceProfileId":"global.anthropic.claude-sonnet-4-6","status":"ACTIVE","type":"SYSTEM_DEFINED","models":[{"modelArn":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6"}]}"#
                    .utf8))
        #expect(profile.id == "global.anthropic.claude-sonnet-4-6" && profile.type == "SYSTEM_DEFINED")
        #expect(profile.modelArns == ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6"])
        #expect(throws: AWSResponseError.self) { try BedrockControlClient.parseFoundationModel(Array("{}".utf8)) }
    }

    @Test("cache points in the InvokeModel bodies; cache usage and truncation read from every answer form")
    func cacheAndStops() throws {
        let prompt = BedrockPrompt(system: "Fixed.", user: "Data.", maxTokens: 50, temperature: 0, cacheSystem: true)
        let anthropic =
            try JSONSerialization.jsonObject(with: BedrockRuntimeClient.invokeBody(.anthropic, prompt))
            as? [String: Any]
        let system = anthropic?["system"] as? [[String: Any]]
        #expect(system?.first?["text"] as? String == "Fixed.")
        #expect((system?.first?["cache_control"] as? [String: Any])?["type"] as? String == "ephemeral")
        let nova =
            try JSONSerialization.jsonObject(with: BedrockRuntimeClient.invokeBody(.nova, prompt)) as? [String: Any]
        #expect((nova?["system"] as? [[String: Any]])?.last?["cachePoint"] != nil)
        var plain = prompt
        plain.cacheSystem = false
        let uncached =
            try JSONSerialization.jsonObject(with: BedrockRuntimeClient.invokeBody(.anthropic, plain))
            as? [String: Any]
        #expect(uncached?["system"] as? String == "Fixed.")

        let converse = try BedrockRuntimeClient.parseConverse(
            Array(
                #"{"output":{"message":{"content":[{"text":"{"}]}},"stopReason":"max_tokens","usage":{"inputTokens":10,"outputTokens":50,"cacheReadInputTokens":1200,"cacheWriteInputTokens":0}}"#
                    .utf8))
        #expect(converse.truncated && converse.cacheReadTokens == 1200 && converse.cacheWriteTokens == 0)
        let claude = try BedrockRuntimeClient.parseInvoke(
            .anthropic,
            Array(
                #"{"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":2,"cache_creation_input_tokens":1300,"cache_read_input_tokens":0}}"#
                    .utf8))
        #expect(!claude.truncated && claude.cacheWriteTokens == 1300 && claude.cacheReadTokens == 0)
        let novaAnswer = try BedrockRuntimeClient.parseInvoke(
            .nova,
            Array(
                #"{"output":{"message":{"content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":2,"cacheReadInputTokenCount":700,"cacheWriteInputTokenCount":0}}"#
                    .utf8))
        #expect(novaAnswer.cacheReadTokens == 700)
        for (stop, truncated) in [("LENGTH", true), ("length", true), ("FINISHED", false), ("stop", false)] {
            #expect(BedrockCompletion(text: "", stopReason: stop).truncated == truncated, "\(stop)")
        }
    }
}

import Foundation

/// The Bedrock models triaged knows (`model-catalogue.json`, compiled into the binary): per family
/// the InvokeModel body, lifecycle, inference profiles, whether the base ID answers on demand,
/// prompt caching, context window and list prices. A model it does not know still works through
/// Converse; nothing here is needed to call one.
public struct BedrockModelCatalogue: Sendable, Decodable {
    public enum Lifecycle: String, Sendable, Decodable {
        case active, legacy, eol
    }

    /// List prices in USD per million tokens, and when and where they were taken.
    public struct Price: Sendable, Equatable, Decodable {
        public var input: Double
        public var output: Double
        public var cacheRead: Double?
        public var cacheWrite: Double?
        public var taken: String?
        public var source: String?

        public init(
            input: Double, output: Double, cacheRead: Double? = nil, cacheWrite: Double? = nil, taken: String? = nil,
            source: String? = nil
        ) {
            self.input = input
            self.output = output
            self.cacheRead = cacheRead
            self.cacheWrite = cacheWrite
            self.taken = taken
            self.source = source
        }

        enum CodingKeys: String, CodingKey {
            case input, output, cacheRead = "cache_read", cacheWrite = "cache_write", taken, source
        }
    }

    public struct LifecycleInfo: Sendable, Decodable {
        public var status: Lifecycle
        public var legacySince: String?
        public var eol: String?
        public var eolNotBefore: String?
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case status, legacySince = "legacy_since", eol, eolNotBefore = "eol_not_before", note
        }
    }

    /// One model family.
    public struct Model: Sendable, Decodable {
        public var family: String
        /// Base model-ID prefixes (no geography, no ARN); the longest match wins.
        public var ids: [String]
        public var body: BedrockModelFamily
        public var lifecycle: LifecycleInfo
        /// Geography prefixes of the system inference profiles (`global`, `us`, …).
        public var profiles: [String]
        /// Whether the base ID answers on demand (false: only through an inference profile).
        public var onDemand: Bool
        public var promptCache: Bool
        public var contextTokens: Int?
        public var price: Price?
        /// What to configure instead of a Legacy or EOL model.
        public var replacement: String?

        enum CodingKeys: String, CodingKey {
            case family, ids, body, lifecycle, profiles, onDemand = "on_demand", promptCache = "prompt_cache"
            case contextTokens = "context_tokens", price, replacement
        }
    }

    struct BodyPrefix: Sendable, Decodable {
        var prefix: String
        var body: BedrockModelFamily
    }

    /// The day the lifecycle entries were last checked.
    public let checkedOn: String
    /// Geography prefixes of inference-profile IDs, without the dot.
    public let geographies: [String]
    public let models: [Model]
    let bodies: [BodyPrefix]

    enum CodingKeys: String, CodingKey {
        case checkedOn = "checked_on", geographies, models, bodies
    }

    /// The catalogue compiled into the binary.
    public static let builtIn: BedrockModelCatalogue = {
        do {
            return try JSONDecoder().decode(
                BedrockModelCatalogue.self, from: Data(PackageResources.model_catalogue_json))
        } catch {
            // The file is part of the source and decoded by the tests: a broken one never ships.
            preconditionFailure("model-catalogue.json does not decode: \(error)")
        }
    }()

    /// Splits an ID, profile ID or ARN into its geography prefix (nil for a base ID) and base model ID.
    /// Application inference profiles and other opaque ARNs keep their last path segment.
    public func parse(_ modelId: String) -> (geography: String?, base: String) {
        var id = modelId
        if id.hasPrefix("arn:"), let slash = id.lastIndex(of: "/") {
            id = String(id[id.index(after: slash)...])
        }
        for geography in geographies where id.hasPrefix(geography + ".") {
            return (geography, String(id.dropFirst(geography.count + 1)))
        }
        return (nil, id)
    }

    /// The family of `modelId` (base ID, profile ID or ARN), nil when the catalogue does not know it.
    public func model(_ modelId: String) -> Model? {
        let base = parse(modelId).base
        var best: (model: Model, length: Int)?
        for model in models {
            for prefix in model.ids where base.hasPrefix(prefix) && prefix.count > (best?.length ?? 0) {
                best = (model, prefix.count)
            }
        }
        return best?.model
    }

    /// The InvokeModel body of `modelId`: its family's, else its provider's; nil when unknown.
    public func body(_ modelId: String) -> BedrockModelFamily? {
        if modelId.contains(":application-inference-profile/") { return nil }
        if let model = model(modelId) { return model.body }
        let base = parse(modelId).base
        return bodies.first { base.hasPrefix($0.prefix) }?.body
    }

    /// The geography profile prefix for a region (`eu-west-1` → `eu`), nil when there is none.
    public static func geography(ofRegion region: String) -> String? {
        if region.hasPrefix("us-gov-") { return "us-gov" }
        if region.hasPrefix("us-") { return "us" }
        if region.hasPrefix("eu-") { return "eu" }
        if ["ap-northeast-1", "ap-northeast-3"].contains(region) { return "jp" }
        if ["ap-southeast-2", "ap-southeast-4"].contains(region) { return "au" }
        if region.hasPrefix("ap-") || region == "me-central-1" { return "apac" }
        return nil
    }

    /// The inference profile to use for a base ID in `region`: the region's geography when the
    /// family has that profile (or is unknown), else `global.` when it has that; nil otherwise.
    public func profile(for modelId: String, region: String) -> String? {
        let (geography, base) = parse(modelId)
        guard geography == nil, !modelId.hasPrefix("arn:") else { return nil }
        let known = model(modelId)?.profiles
        if let local = Self.geography(ofRegion: region), known?.contains(local) ?? true {
            return "\(local).\(base)"
        }
        if known?.contains("global") ?? true { return "global.\(base)" }
        return nil
    }
}

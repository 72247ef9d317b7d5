import AWSCore
import Foundation

/// The Amazon Bedrock control plane (REST-JSON, signing name `bedrock`, model `bedrock/2023-04-20`):
/// a foundation model's lifecycle and inference types, and a system inference profile's models.
public struct BedrockControlClient: Sendable {
    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .bedrock, "BedrockControlClient needs a Bedrock (control plane) AWSClient")
        self.client = client
    }

    /// `GetFoundationModel` → `modelDetails`.
    public struct FoundationModel: Sendable, Equatable {
        public var modelId: String
        public var modelArn: String?
        public var providerName: String?
        /// `ON_DEMAND`, `PROVISIONED`, `INFERENCE_PROFILE` (observed).
        public var inferenceTypes: [String]
        /// `modelLifecycle.status`: `ACTIVE` or `LEGACY`.
        public var status: String?
        public var legacyTime: Date?
        public var endOfLifeTime: Date?
        public var publicExtendedAccessTime: Date?
    }

    /// `GetInferenceProfile`.
    public struct InferenceProfile: Sendable, Equatable {
        public var id: String
        public var arn: String?
        /// `ACTIVE`.
        public var status: String?
        /// `SYSTEM_DEFINED` or `APPLICATION`.
        public var type: String?
        /// The foundation-model ARNs it routes to.
        public var modelArns: [String]
    }

    /// `GET /foundation-models/{modelIdentifier}`.
    public func getFoundationModel(_ modelId: String) throws -> FoundationModel {
        try Self.parseFoundationModel(
            client.rest(
                "GetFoundationModel", method: "GET", path: "/foundation-models/\(Self.label(modelId))",
                headers: ["Accept": "application/json"]
            ).body)
    }

    /// `GET /inference-profiles/{inferenceProfileIdentifier}`.
    public func getInferenceProfile(_ id: String) throws -> InferenceProfile {
        try Self.parseInferenceProfile(
            client.rest(
                "GetInferenceProfile", method: "GET", path: "/inference-profiles/\(Self.label(id))",
                headers: ["Accept": "application/json"]
            ).body)
    }

    /// An identifier as one path label (`:` and `/` encoded).
    static func label(_ identifier: String) -> String {
        SigV4Encoding.uriEncode(identifier, keepSlash: false)
    }

    static func object(_ body: [UInt8], _ operation: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw AWSResponseError(service: "bedrock", operation: operation, reason: "response is not a JSON object")
        }
        return object
    }

    /// REST-JSON timestamps are ISO 8601 strings (epoch seconds accepted too).
    static func date(_ value: Any?) -> Date? {
        if let text = value as? String { return AWSTimestamp.parse(text) }
        if let number = value as? NSNumber { return Date(timeIntervalSince1970: number.doubleValue) }
        return nil
    }

    public static func parseFoundationModel(_ body: [UInt8]) throws -> FoundationModel {
        guard let details = try object(body, "GetFoundationModel")["modelDetails"] as? [String: Any],
            let modelId = details["modelId"] as? String
        else { throw AWSResponseError(service: "bedrock", operation: "GetFoundationModel", reason: "no modelDetails") }
        let lifecycle = details["modelLifecycle"] as? [String: Any]
        return FoundationModel(
            modelId: modelId, modelArn: details["modelArn"] as? String,
            providerName: details["providerName"] as? String,
            inferenceTypes: (details["inferenceTypesSupported"] as? [Any] ?? []).compactMap { $0 as? String },
            status: lifecycle?["status"] as? String, legacyTime: date(lifecycle?["legacyTime"]),
            endOfLifeTime: date(lifecycle?["endOfLifeTime"]),
            publicExtendedAccessTime: date(lifecycle?["publicExtendedAccessTime"]))
    }

    public static func parseInferenceProfile(_ body: [UInt8]) throws -> InferenceProfile {
        let object = try object(body, "GetInferenceProfile")
        guard let id = object["inferenceProfileId"] as? String else {
            throw AWSResponseError(
                service: "bedrock", operation: "GetInferenceProfile", reason: "no inferenceProfileId")
        }
        return InferenceProfile(
            id: id, arn: object["inferenceProfileArn"] as? String, status: object["status"] as? String,
            type: object["type"] as? String,
            modelArns: (object["models"] as? [[String: Any]] ?? []).compactMap { $0["modelArn"] as? String })
    }
}

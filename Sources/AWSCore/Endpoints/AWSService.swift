/// What triaged needs to know about each AWS service it calls: how to find its endpoint, how to
/// sign for it and which wire protocol it speaks (botocore's service models; `docs/aws-client.md`).
public struct AWSService: Sendable, Equatable, Hashable {
    /// The key used in configuration (`aws.endpoints`), e.g. `bedrock-runtime`.
    public let id: String
    /// Other accepted configuration keys, e.g. `logs` for `cloudwatch-logs`.
    public let aliases: [String]
    /// The host prefix of the regional endpoint.
    public let endpointPrefix: String
    /// The SigV4 signing name (differs from the host for CloudWatch and Bedrock Runtime).
    public let signingName: String
    /// The `<SERVICE>` part of `AWS_ENDPOINT_URL_<SERVICE>`.
    public let environmentSuffix: String
    /// The wire protocol.
    public let wireProtocol: AWSProtocol

    public static func == (lhs: AWSService, rhs: AWSService) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    public static let cloudWatch = AWSService(
        id: "cloudwatch", aliases: ["monitoring"], endpointPrefix: "monitoring", signingName: "monitoring",
        environmentSuffix: "CLOUDWATCH", wireProtocol: .query(apiVersion: "2010-08-01"))
    public static let sqs = AWSService(
        id: "sqs", aliases: [], endpointPrefix: "sqs", signingName: "sqs", environmentSuffix: "SQS",
        wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS", queryCompatible: true))
    public static let sns = AWSService(
        id: "sns", aliases: [], endpointPrefix: "sns", signingName: "sns", environmentSuffix: "SNS",
        wireProtocol: .query(apiVersion: "2010-03-31"))
    public static let s3 = AWSService(
        id: "s3", aliases: [], endpointPrefix: "s3", signingName: "s3", environmentSuffix: "S3", wireProtocol: .restXML)
    public static let logs = AWSService(
        id: "cloudwatch-logs", aliases: ["logs"], endpointPrefix: "logs", signingName: "logs",
        environmentSuffix: "CLOUDWATCH_LOGS",
        wireProtocol: .json(version: "1.1", targetPrefix: "Logs_20140328", queryCompatible: false))
    public static let ecs = AWSService(
        id: "ecs", aliases: [], endpointPrefix: "ecs", signingName: "ecs", environmentSuffix: "ECS",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113", queryCompatible: false))
    public static let xray = AWSService(
        id: "xray", aliases: [], endpointPrefix: "xray", signingName: "xray", environmentSuffix: "XRAY",
        wireProtocol: .restJSON)
    public static let elbv2 = AWSService(
        id: "elastic-load-balancing-v2", aliases: ["elbv2", "elasticloadbalancing"],
        endpointPrefix: "elasticloadbalancing", signingName: "elasticloadbalancing",
        environmentSuffix: "ELASTIC_LOAD_BALANCING_V2", wireProtocol: .query(apiVersion: "2015-12-01"))
    public static let sts = AWSService(
        id: "sts", aliases: [], endpointPrefix: "sts", signingName: "sts", environmentSuffix: "STS",
        wireProtocol: .query(apiVersion: "2011-06-15"))
    public static let bedrockRuntime = AWSService(
        id: "bedrock-runtime", aliases: [], endpointPrefix: "bedrock-runtime", signingName: "bedrock",
        environmentSuffix: "BEDROCK_RUNTIME", wireProtocol: .restJSON)
    /// The Bedrock control plane (model lifecycle, inference profiles), used by `triaged check --bedrock`.
    /// Its key is `bedrock` as in the SDKs (`AWS_ENDPOINT_URL_BEDROCK`); the runtime is `bedrock-runtime`.
    public static let bedrock = AWSService(
        id: "bedrock", aliases: [], endpointPrefix: "bedrock", signingName: "bedrock", environmentSuffix: "BEDROCK",
        wireProtocol: .restJSON)

    /// Every service triaged calls.
    public static let all: [AWSService] = [
        cloudWatch, sqs, sns, s3, logs, ecs, xray, elbv2, sts, bedrockRuntime, bedrock,
    ]

    /// The service a configuration key names (`id` or an alias, any case, `_` or `-`).
    public static func named(_ key: String) -> AWSService? {
        let normalized = key.lowercased().replacingOccurrences(of: "_", with: "-")
        return all.first { $0.id == normalized || $0.aliases.contains(normalized) }
    }
}

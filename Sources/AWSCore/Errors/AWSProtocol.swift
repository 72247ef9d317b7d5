/// The wire protocols of the services triaged calls.
public enum AWSProtocol: Sendable, Equatable {
    /// awsQuery: form-encoded POST, XML reply (SNS, STS, ELBv2, CloudWatch).
    case query(apiVersion: String)
    /// awsJson 1.0 or 1.1 with `X-Amz-Target` (SQS, Logs, ECS). `queryCompatible` services get
    /// `x-amzn-query-mode: true` and report legacy codes in `x-amzn-query-error`.
    case json(version: String, targetPrefix: String, queryCompatible: Bool)
    /// restJson1 (X-Ray, Bedrock Runtime).
    case restJSON
    /// restXml (S3).
    case restXML
}

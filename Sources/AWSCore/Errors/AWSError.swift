/// An error response from an AWS service: the AWS error code, its message, the HTTP status and the
/// request id AWS support asks for.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The AWS error code, e.g. `ThrottlingException`, `SignatureDoesNotMatch`, `PreconditionFailed`.
    /// Namespaces (`com.amazonaws.sqs#`) and suffixes (`:http://internal…`) are removed.
    public let code: String
    /// The service's message (may be empty).
    public let message: String
    /// The HTTP status of the response.
    public let httpStatus: Int
    /// The request id (`x-amzn-RequestId`, `x-amz-request-id` or `<RequestId>`), if any.
    public let requestId: String?
    /// The service the call went to, e.g. `sts`.
    public let service: String
    /// The operation, e.g. `GetCallerIdentity`.
    public let operation: String
    /// The region S3 says the bucket is in: the `x-amz-bucket-region` header, else `<Region>` of the
    /// error body (`AuthorizationHeaderMalformed`). Nil for other services.
    public let region: String?

    public init(
        code: String, message: String, httpStatus: Int, requestId: String?, service: String = "",
        operation: String = "",
        region: String? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.service = service
        self.operation = operation
        self.region = region
    }

    public var description: String {
        var text = code
        if !message.isEmpty { text += ": \(message)" }
        var facts = ["HTTP \(httpStatus)"]
        if !service.isEmpty { facts.append("\(service):\(operation)") }
        if let requestId { facts.append("request id \(requestId)") }
        return text + " (" + facts.joined(separator: ", ") + ")"
    }

    /// Whether this is an expired-credentials error, after which credentials are refreshed and the
    /// call is signed and sent once more. `RequestExpired` is not one: it means the request time was
    /// too old, a clock-skew error (`ClockSkew`).
    public var isExpiredCredentials: Bool {
        ["ExpiredToken", "ExpiredTokenException"].contains(code)
    }
}

import AWSCore
import Foundation

/// One received SQS message.
public struct SQSMessage: Sendable, Equatable, Decodable {
    public var messageId: String
    public var receiptHandle: String
    public var body: String
    public var attributes: [String: String]
    public var messageAttributes: [String: SQSMessageAttribute]

    enum CodingKeys: String, CodingKey {
        case messageId = "MessageId", receiptHandle = "ReceiptHandle", body = "Body", attributes = "Attributes"
        case messageAttributes = "MessageAttributes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageId = try c.decode(String.self, forKey: .messageId)
        receiptHandle = try c.decode(String.self, forKey: .receiptHandle)
        body = try c.decodeIfPresent(String.self, forKey: .body) ?? ""
        attributes = try c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        messageAttributes = try c.decodeIfPresent([String: SQSMessageAttribute].self, forKey: .messageAttributes) ?? [:]
    }

    /// How many times the message was received (`ApproximateReceiveCount`), if reported.
    public var receiveCount: Int? { attributes["ApproximateReceiveCount"].flatMap { Int($0) } }
}

/// A message attribute value.
public struct SQSMessageAttribute: Sendable, Equatable, Decodable {
    public var dataType: String
    public var stringValue: String?

    enum CodingKeys: String, CodingKey { case dataType = "DataType", stringValue = "StringValue" }
}

/// Amazon SQS over JSON 1.0 (awsQueryCompatible).
public struct SQSClient: Sendable {
    /// ReceiveMessage returns at most 10 messages.
    public static let maxMessagesPerReceive = 10
    /// Long polls wait at most 20 seconds.
    public static let maxWaitSeconds = 20
    /// Visibility timeouts run 0…43200 seconds.
    public static let maxVisibilityTimeout = 43_200

    private let client: AWSClient

    /// The region calls are signed for.
    public var region: String { client.region }

    public init(client: AWSClient) {
        precondition(client.service == .sqs, "SQSClient needs an SQS AWSClient")
        self.client = client
    }

    private struct ReceiveInput: Encodable {
        let QueueUrl: String
        let MaxNumberOfMessages: Int
        let WaitTimeSeconds: Int
        let VisibilityTimeout: Int?
        let MessageSystemAttributeNames = ["All"]
        let MessageAttributeNames = ["All"]
    }

    private struct ReceiveOutput: Decodable {
        var Messages: [SQSMessage]?
    }

    /// Long-polls for up to `maxMessages` (1…10) for up to `waitSeconds` (0…20). An empty queue
    /// yields an empty array. The HTTP timeout is set beyond the wait.
    public func receiveMessages(
        queueURL: String, maxMessages: Int = 10, waitSeconds: Int = 20, visibilityTimeout: Int? = nil
    ) throws -> [SQSMessage] {
        let input = ReceiveInput(
            QueueUrl: queueURL, MaxNumberOfMessages: min(max(1, maxMessages), Self.maxMessagesPerReceive),
            WaitTimeSeconds: min(max(0, waitSeconds), Self.maxWaitSeconds),
            VisibilityTimeout: visibilityTimeout.map { min(max(0, $0), Self.maxVisibilityTimeout) })
        let body = try JSONEncoder().encode(input)
        let data = try client.json("ReceiveMessage", body: body, timeout: TimeInterval(input.WaitTimeSeconds + 10))
        return try client.decodeJSON(ReceiveOutput.self, from: data, operation: "ReceiveMessage").Messages ?? []
    }

    /// Deletes a message by the receipt handle of its latest receive.
    public func deleteMessage(queueURL: String, receiptHandle: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["QueueUrl": queueURL, "ReceiptHandle": receiptHandle])
        _ = try client.json("DeleteMessage", body: body)
    }

    /// Sets a message's visibility timeout (0 makes it visible at once), counted from now.
    public func changeMessageVisibility(queueURL: String, receiptHandle: String, timeout: Int) throws {
        let body = try JSONSerialization.data(
            withJSONObject: [
                "QueueUrl": queueURL, "ReceiptHandle": receiptHandle,
                "VisibilityTimeout": min(max(0, timeout), Self.maxVisibilityTimeout),
            ] as [String: Any])
        _ = try client.json("ChangeMessageVisibility", body: body)
    }

    /// GetQueueAttributes: the named attributes (`All` for every one), e.g. `QueueArn`,
    /// `ApproximateNumberOfMessages`, `RedrivePolicy`, `VisibilityTimeout`.
    public func queueAttributes(queueURL: String, names: [String] = ["All"]) throws -> [String: String] {
        struct Input: Encodable {
            let QueueUrl: String
            let AttributeNames: [String]
        }
        struct Output: Decodable { let Attributes: [String: String]? }
        let output: Output = try client.json(
            "GetQueueAttributes", Input(QueueUrl: queueURL, AttributeNames: names), as: Output.self)
        return output.Attributes ?? [:]
    }
}

import AWSCore
import Foundation

/// A message attribute for SNS Publish.
public struct SNSMessageAttribute: Sendable, Equatable {
    public var name: String
    public var dataType: String
    public var value: String

    public init(name: String, dataType: String = "String", value: String) {
        self.name = name
        self.dataType = dataType
        self.value = value
    }
}

/// Why a message cannot be published as given (checked before sending).
public struct SNSMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// Amazon SNS over the query protocol (API 2010-03-31).
public struct SNSClient: Sendable {
    /// Message plus attributes must fit in 256 KB (bytes).
    public static let maxMessageBytes = 262_144
    /// Subjects must be shorter than 100 characters.
    public static let maxSubjectCharacters = 99

    private let client: AWSClient

    public init(client: AWSClient) {
        precondition(client.service == .sns, "SNSClient needs an SNS AWSClient")
        self.client = client
    }

    /// Publishes to a topic and returns the message id. With `structure: true` the message must be
    /// a JSON object with a string `default` key (per-protocol messages; attributes are not delivered).
    public func publish(
        topicArn: String, message: String, subject: String? = nil, attributes: [SNSMessageAttribute] = [],
        structure: Bool = false
    ) throws -> String {
        try Self.validate(message: message, subject: subject, attributes: attributes, structure: structure)
        var parameters = QueryParameters()
        parameters.add("TopicArn", topicArn)
        parameters.add("Message", message)
        parameters.add("Subject", subject)
        if structure { parameters.add("MessageStructure", "json") }
        for (index, attribute) in attributes.enumerated() {
            let p = "MessageAttributes.entry.\(index + 1)"
            parameters.add("\(p).Name", attribute.name)
            parameters.add("\(p).Value.DataType", attribute.dataType)
            parameters.add("\(p).Value.StringValue", attribute.value)
        }
        let result = try client.query("Publish", parameters)
        guard let id = result.string("MessageId") else {
            throw AWSResponseError(service: "sns", operation: "Publish", reason: "no MessageId")
        }
        return id
    }

    /// GetTopicAttributes: `TopicArn`, `Owner`, `SubscriptionsConfirmed`, `KmsMasterKeyId`, …
    public func topicAttributes(topicArn: String) throws -> [String: String] {
        var parameters = QueryParameters()
        parameters.add("TopicArn", topicArn)
        let result = try client.query("GetTopicAttributes", parameters)
        var attributes: [String: String] = [:]
        for entry in result.descendant("Attributes")?.children("entry") ?? [] {
            if let key = entry.string("key") { attributes[key] = entry.string("value") ?? "" }
        }
        return attributes
    }

    /// The limits of `PublishInput`: subject under 100 characters without line breaks or control
    /// characters; message and attributes within 262,144 bytes; `structure` needs a `default` key.
    public static func validate(message: String, subject: String?, attributes: [SNSMessageAttribute], structure: Bool)
        throws
    {
        guard !message.isEmpty else { throw SNSMessageError(description: "SNS messages must not be empty") }
        if let subject {
            guard !subject.isEmpty, subject.count <= maxSubjectCharacters else {
                throw SNSMessageError(
                    description: "SNS subject must be 1…\(maxSubjectCharacters) characters (got \(subject.count))")
            }
            guard !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw SNSMessageError(description: "SNS subject must not contain line breaks or control characters")
            }
        }
        let attributeBytes = attributes.reduce(0) {
            $0 + $1.name.utf8.count + $1.dataType.utf8.count + $1.value.utf8.count
        }
        let total = message.utf8.count + attributeBytes
        guard total <= maxMessageBytes else {
            throw SNSMessageError(
                description: "SNS message and attributes are \(total) bytes; the limit is \(maxMessageBytes)")
        }
        if structure {
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any],
                object["default"] is String
            else {
                throw SNSMessageError(
                    description: "MessageStructure=json needs a JSON object with a string \"default\" key")
            }
        }
    }
}

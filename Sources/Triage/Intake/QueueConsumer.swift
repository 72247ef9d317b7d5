import AWSCore
import AWSServices
import Foundation
import Logging

/// One usable alarm message from the intake queue.
public struct QueueMessage: Sendable, Equatable {
    public let messageId: String
    public let receiptHandle: String
    public let receiveCount: Int?
    public let event: AlarmEvent
}

/// Receives alarm messages from the intake queue. Unusable messages are logged with their message
/// id and the reason and left alone, so the queue's redrive policy moves them to the dead-letter
/// queue; they are never deleted and never stop the loop. CloudWatch events that are not alarm state
/// changes (configuration changes) are logged and deleted. Usable ones are deleted only when the
/// caller acknowledges them (after delivery).
public final class QueueConsumer: Sendable {
    private let sqs: SQSClient
    public let queueURL: String
    /// The region the queue is called in (its URL's, else the home region).
    public var region: String { sqs.region }
    private let visibilityTimeout: Int
    private let logger: Logger
    private let composites: CompositeAlarmResolver?

    /// `composites` resolves composite alarms to their triggering children (nil: left as they are).
    public init(
        sqs: SQSClient, queueURL: String, visibilityTimeout: Int = 300, composites: CompositeAlarmResolver? = nil,
        logger: Logger
    ) {
        self.sqs = sqs
        self.composites = composites
        self.queueURL = queueURL
        self.visibilityTimeout = visibilityTimeout
        self.logger = logger
    }

    /// One long poll (up to 10 messages, `wait` seconds); returns the usable messages.
    public func receive(wait: Int = SQSClient.maxWaitSeconds) throws -> [QueueMessage] {
        let messages = try sqs.receiveMessages(
            queueURL: queueURL, maxMessages: SQSClient.maxMessagesPerReceive, waitSeconds: wait,
            visibilityTimeout: visibilityTimeout)
        var usable: [QueueMessage] = []
        for message in messages {
            do {
                var event = try AlarmMessageParser.parse(message.body, messageId: message.messageId)
                if let composites { event = composites.resolve(event) }
                usable.append(
                    QueueMessage(
                        messageId: message.messageId, receiptHandle: message.receiptHandle,
                        receiveCount: message.receiveCount, event: event))
            } catch let error as AlarmMessageError where error.disposition == .acknowledge {
                logger.info(
                    "intake message acknowledged: not an alarm state change",
                    metadata: ["sqs.message_id": "\(message.messageId)", "reason": "\(error.reason)"])
                do {
                    try sqs.deleteMessage(queueURL: queueURL, receiptHandle: message.receiptHandle)
                } catch {
                    // It comes back after the visibility timeout and is acknowledged then.
                    logger.warning(
                        "acknowledged intake message not deleted",
                        metadata: ["sqs.message_id": "\(message.messageId)", "error": "\(error)"])
                }
            } catch let error as AlarmMessageError {
                logger.warning(
                    "unusable intake message left for the dead-letter queue",
                    metadata: [
                        "sqs.message_id": "\(message.messageId)", "reason": "\(error.reason)",
                        "sqs.receive_count": "\(message.receiveCount.map(String.init) ?? "?")",
                    ])
            }
        }
        return usable
    }

    /// Deletes a message whose work is done.
    public func acknowledge(_ message: QueueMessage) throws {
        try sqs.deleteMessage(queueURL: queueURL, receiptHandle: message.receiptHandle)
    }

    /// Keeps a message invisible while its incident is investigated (the heartbeat).
    public func extendVisibility(_ message: QueueMessage, by seconds: Int) throws {
        try sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle, timeout: seconds)
    }

    /// Makes a message visible again at once (shutdown before its incident was delivered).
    public func release(_ message: QueueMessage) throws {
        try sqs.changeMessageVisibility(queueURL: queueURL, receiptHandle: message.receiptHandle, timeout: 0)
    }
}

import Dispatch
import Foundation
import Logging
import Synchronization

/// Keeps queue messages invisible while their incidents are investigated: every `interval` it
/// extends each held message's visibility to `extension` seconds from now. A message is held from
/// `hold` until `drop` (after delivery, before acknowledging, or when released at shutdown).
// @unchecked: the Dispatch timer is not annotated Sendable; it is set up in init and only cancelled
// afterwards, which Dispatch documents as safe from any thread. All other state is in a Mutex.
public final class VisibilityHeartbeat: @unchecked Sendable {
    private let consumer: QueueConsumer
    private let extensionSeconds: Int
    private let logger: Logger
    private let held = Mutex<[String: QueueMessage]>([:])
    private let timer: any DispatchSourceTimer
    private let queue = DispatchQueue(label: "triaged.visibility-heartbeat")

    /// `interval` should be well below `extension`, which should be below the queue's visibility timeout plus the interval.
    public init(consumer: QueueConsumer, interval: TimeInterval, extension seconds: Int, logger: Logger) {
        self.consumer = consumer
        self.extensionSeconds = seconds
        self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.beat() }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    /// Starts keeping `message` invisible.
    public func hold(_ message: QueueMessage) {
        held.withLock { $0[message.receiptHandle] = message }
    }

    /// Stops keeping `message` invisible.
    public func drop(_ message: QueueMessage) {
        _ = held.withLock { $0.removeValue(forKey: message.receiptHandle) }
    }

    /// Messages held now.
    public var count: Int { held.withLock { $0.count } }

    /// Stops the timer; held messages are left as they are.
    public func stop() {
        timer.cancel()
    }

    private func beat() {
        for message in held.withLock({ Array($0.values) }) {
            do {
                try consumer.extendVisibility(message, by: extensionSeconds)
            } catch {
                logger.warning(
                    "could not extend message visibility",
                    metadata: ["sqs.message_id": "\(message.messageId)", "error": "\(error)"])
            }
        }
    }
}

/// Why a message is not a usable alarm event. An `.unusable` message is logged with this reason and
/// left for the queue's redrive policy; it is never deleted silently. An `.acknowledge` message is
/// a well-formed CloudWatch event that is not an alarm state change (a configuration change): it is
/// logged and deleted, since redriving it would only fill the dead-letter queue.
public struct AlarmMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Disposition: Sendable, Equatable {
        case unusable, acknowledge
    }

    public let reason: String
    public let disposition: Disposition

    public init(_ reason: String, disposition: Disposition = .unusable) {
        self.reason = reason
        self.disposition = disposition
    }

    public var description: String { reason }
}

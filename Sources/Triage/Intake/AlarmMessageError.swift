/// Why a message is not a usable alarm event. The message is logged with this reason and left for
/// the queue's redrive policy; it is never deleted silently.
public struct AlarmMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

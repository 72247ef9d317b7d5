import Foundation

/// The source of the current time, injected wherever a decision depends on it (signing dates,
/// credential expiry), so tests can move time.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

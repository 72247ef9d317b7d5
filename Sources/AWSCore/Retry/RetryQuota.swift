/// The standard retry mode's token bucket, shared by all calls of one client: retries spend
/// tokens, successes return them, so a failing dependency cannot trigger a retry storm.
public struct RetryQuota: Sendable, Equatable {
    /// Tokens when full.
    public static let capacity = 500
    /// Tokens a first-attempt success adds back.
    public static let successRefund = 1

    /// Tokens available now.
    public private(set) var available: Int

    public init(available: Int = RetryQuota.capacity) {
        self.available = min(available, Self.capacity)
    }

    /// Takes `cost` tokens if there are enough; returns whether it did.
    public mutating func acquire(_ cost: Int) -> Bool {
        guard available >= cost else { return false }
        available -= cost
        return true
    }

    /// Records a successful call: the cost of its last retry comes back, or one token if it
    /// succeeded at once. Never above capacity.
    public mutating func recordSuccess(lastRetryCost: Int?) {
        available = min(Self.capacity, available + (lastRetryCost ?? Self.successRefund))
    }
}

import Foundation

/// Why an attempt failed, as the retry policy sees it.
public enum RetryFailure: Sendable, Equatable {
    /// The service answered with an error.
    case service(code: String, httpStatus: Int)
    /// No response came (connection, timeout, TLS, …).
    case transport(TransportError.Kind)
}

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Sleep this long, then try again; the quota has been charged `cost`.
    case retry(after: TimeInterval, cost: Int)
    /// Give up and surface the error.
    case giveUp(RetryGiveUpReason)
}

/// Why the policy stopped retrying.
public enum RetryGiveUpReason: Sendable, Equatable {
    case notRetryable
    case attemptsExhausted
    case quotaExhausted
}

/// The AWS SDKs' standard retry mode (SDK reference "Retry behavior"; botocore `retries/standard.py`):
/// throttling and transient errors are retried, with jittered exponential backoff capped at 20 s,
/// up to 3 attempts in all, paid for from a shared retry quota. Pure: randomness comes in as a value.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Upper bound of one backoff.
    public var maxBackoff: TimeInterval
    /// Base of the exponential backoff.
    public var baseDelay: TimeInterval

    /// Quota cost of retrying a non-timeout failure.
    public static let retryCost = 5
    /// Quota cost of retrying after a timeout.
    public static let timeoutRetryCost = 10

    /// Error codes treated as throttling (botocore `ThrottledRetryableChecker._THROTTLED_ERROR_CODES`).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Error codes treated as transient whatever their status.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    ]
    /// Codes modeled `retryable` (Bedrock) or special-cased (STS) by the SDKs.
    public static let modeledRetryableCodes: Set<String> = ["ModelNotReadyException", "IDPCommunicationError"]
    /// HTTP statuses that are transient.
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    public init(maxAttempts: Int = 3, maxBackoff: TimeInterval = 20, baseDelay: TimeInterval = 1) {
        self.maxAttempts = maxAttempts
        self.maxBackoff = maxBackoff
        self.baseDelay = baseDelay
    }

    /// Whether `failure` may be retried at all, and at what quota cost.
    public func retryCost(of failure: RetryFailure) -> Int? {
        switch failure {
        case .transport(let kind):
            switch kind {
            case .connection, .tlsHandshake: return Self.retryCost
            case .timeout: return Self.timeoutRetryCost
            case .tls, .responseTooLarge, .invalidRequest, .other: return nil
            }
        case .service(let code, let status):
            if Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code)
                || Self.modeledRetryableCodes.contains(code) || Self.transientStatuses.contains(status)
            {
                return Self.retryCost
            }
            return nil
        }
    }

    /// The backoff before retry number `attempt` (1 = the first retry): `random × min(base × 2^(attempt−1), cap)`,
    /// with `random` in [0, 1).
    public func backoff(attempt: Int, random: Double) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        let ceiling = min(baseDelay * pow(2, exponent), maxBackoff)
        return min(max(random, 0), 1) * ceiling
    }

    /// Decides after attempt number `attempt` (1-based) failed with `failure`, charging `quota`.
    public func decide(
        after failure: RetryFailure, attempt: Int, quota: inout RetryQuota, random: Double
    ) -> RetryDecision {
        guard let cost = retryCost(of: failure) else { return .giveUp(.notRetryable) }
        guard attempt < maxAttempts else { return .giveUp(.attemptsExhausted) }
        guard quota.acquire(cost) else { return .giveUp(.quotaExhausted) }
        return .retry(after: backoff(attempt: attempt, random: random), cost: cost)
    }
}

import Testing

@testable import AWSCore

@Suite("standard retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test(
        "throttling codes of every protocol family are retried",
        arguments: [
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
            "TooManyRequestsException",
            "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
            "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
            "PriorRequestNotComplete",
            "EC2ThrottledException",
        ])
    func throttlingRetried(_ code: String) {
        #expect(policy.retryCost(of: .service(code: code, httpStatus: 400)) == 5)
    }

    @Test("transient statuses and codes are retried", arguments: [500, 502, 503, 504])
    func transientStatuses(_ status: Int) {
        #expect(policy.retryCost(of: .service(code: "Whatever", httpStatus: status)) == 5)
    }

    @Test(
        "modeled retryable and transient codes are retried",
        arguments: [
            "RequestTimeout", "RequestTimeoutException", "ModelNotReadyException", "IDPCommunicationError",
        ])
    func modeledRetryable(_ code: String) {
        #expect(policy.retryCost(of: .service(code: code, httpStatus: 400)) == 5)
    }

    @Test(
        "client errors and auth failures are not retried",
        arguments: [
            ("ValidationException", 400), ("AccessDeniedException", 403), ("SignatureDoesNotMatch", 403),
            ("PreconditionFailed", 412), ("ModelTimeoutException", 408), ("KmsThrottled", 400), ("KMSThrottling", 400),
            ("Throttled", 429), ("TooManyRequests", 429), ("ExpiredToken", 400), ("ConditionalRequestConflict", 409),
            ("ModelErrorException", 424), ("ResourceNotFoundException", 404),
        ])
    func notRetried(_ code: String, _ status: Int) {
        #expect(policy.retryCost(of: .service(code: code, httpStatus: status)) == nil)
    }

    @Test("connection failures cost 5, timeouts 10, TLS failures are final")
    func transportFailures() {
        #expect(policy.retryCost(of: .transport(.connection)) == 5)
        #expect(policy.retryCost(of: .transport(.timeout)) == 10)
        #expect(policy.retryCost(of: .transport(.tls)) == nil)
        #expect(policy.retryCost(of: .transport(.responseTooLarge)) == nil)
    }

    @Test("backoff is random × min(2^(n−1) s, 20 s)")
    func backoffBounds() {
        #expect(policy.backoff(attempt: 1, random: 0.999) < 1.0)
        #expect(policy.backoff(attempt: 1, random: 0.5) == 0.5)
        #expect(policy.backoff(attempt: 2, random: 0.5) == 1.0)
        #expect(policy.backoff(attempt: 3, random: 1.0) == 4.0)
        #expect(policy.backoff(attempt: 6, random: 1.0) == 20.0)
        #expect(policy.backoff(attempt: 30, random: 1.0) == 20.0)
        #expect(policy.backoff(attempt: 4, random: 0) == 0)
    }

    @Test("three attempts in all")
    func attemptsBound() {
        var quota = RetryQuota()
        let failure = RetryFailure.service(code: "ThrottlingException", httpStatus: 400)
        #expect(policy.decide(after: failure, attempt: 1, quota: &quota, random: 0.5) == .retry(after: 0.5, cost: 5))
        #expect(policy.decide(after: failure, attempt: 2, quota: &quota, random: 0.5) == .retry(after: 1.0, cost: 5))
        #expect(policy.decide(after: failure, attempt: 3, quota: &quota, random: 0.5) == .giveUp(.attemptsExhausted))
        #expect(quota.available == 490)
    }

    @Test("an empty quota stops retries; successes refill it, never above 500")
    func quotaAccounting() {
        var quota = RetryQuota(available: 12)
        let timeout = RetryFailure.transport(.timeout)
        #expect(policy.decide(after: timeout, attempt: 1, quota: &quota, random: 0) == .retry(after: 0, cost: 10))
        #expect(quota.available == 2)
        #expect(policy.decide(after: timeout, attempt: 1, quota: &quota, random: 0) == .giveUp(.quotaExhausted))
        quota.recordSuccess(lastRetryCost: 10)
        #expect(quota.available == 12)
        quota.recordSuccess(lastRetryCost: nil)
        #expect(quota.available == 13)
        var full = RetryQuota()
        full.recordSuccess(lastRetryCost: 10)
        #expect(full.available == 500)
        var quota2 = RetryQuota()
        #expect(
            policy.decide(
                after: .service(code: "ValidationException", httpStatus: 400), attempt: 1, quota: &quota2, random: 0)
                == .giveUp(.notRetryable))
        #expect(quota2.available == 500)
    }
}

import AWSSigning
import Foundation
import Logging
import Synchronization

/// Sends signed requests to one AWS service in one region: signs every attempt afresh, retries as
/// the standard retry mode says, refreshes credentials once on an expired-token answer, and turns
/// error responses into `AWSError`. The protocol helpers (`query`, `json`, `rest`) build on `send`.
public final class AWSClient: Sendable {
    /// How requests are authenticated.
    public enum Authentication: Sendable {
        /// SigV4 with credentials from this provider.
        case sigV4(any CredentialProvider)
        /// No signature (STS `AssumeRoleWithWebIdentity`).
        case none
    }

    /// The service this client calls.
    public let service: AWSService
    /// The signing region.
    public let region: String
    /// Where requests go.
    public let endpoint: AWSEndpoint
    /// Total time allowed per attempt.
    public let timeout: TimeInterval

    private let authentication: Authentication
    private let transport: any HTTPTransport
    private let policy: RetryPolicy
    private let quota = Mutex(RetryQuota())
    /// Server time − local time, learnt from the last clock-skew error (`ClockSkew`).
    private let clockOffset = Mutex<TimeInterval>(0)
    private let clock: any WallClock
    private let sleep: @Sendable (TimeInterval) -> Void
    private let random: @Sendable () -> Double
    private let logger: Logger

    public init(
        service: AWSService, region: String, endpoint: AWSEndpoint, authentication: Authentication,
        transport: any HTTPTransport, policy: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 30,
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "triaged.aws"),
        sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.authentication = authentication
        self.transport = transport
        self.policy = policy
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
        self.sleep = sleep
        self.random = random
    }

    /// The same client with another retry policy (sharing transport, credentials and clock; its
    /// own retry quota). The Bedrock analyser retries itself within its deadline: single attempts.
    public func with(policy: RetryPolicy) -> AWSClient {
        AWSClient(
            service: service, region: region, endpoint: endpoint, authentication: authentication, transport: transport,
            policy: policy, timeout: timeout, clock: clock, logger: logger, sleep: sleep, random: random)
    }

    /// The same client for another region: signed for `region`, sent to `endpoint` (sharing
    /// transport, credentials and clock; its own retry quota). S3 uses it to follow a bucket's region.
    public func relocated(to region: String, endpoint: AWSEndpoint) -> AWSClient {
        AWSClient(
            service: service, region: region, endpoint: endpoint, authentication: authentication, transport: transport,
            policy: policy, timeout: timeout, clock: clock, logger: logger, sleep: sleep, random: random)
    }

    /// The retry tokens left (for tests and metrics).
    public var retryTokensAvailable: Int { quota.withLock { $0.available } }

    /// The correction added to the local clock when signing (0 until AWS reported clock skew).
    public var clockCorrection: TimeInterval { clockOffset.withLock { $0 } }

    private func signingTime() -> Date { clock.now().addingTimeInterval(clockCorrection) }

    /// Sends one operation and returns its successful (2xx) response, or throws `AWSError`,
    /// `TransportError` or `CredentialsError`.
    public func send(
        operation: String, method: String, path: String, query: String = "", headers: HTTPHeaders = [:],
        body: [UInt8] = [], payload: SigV4Request.Payload? = nil, timeout: TimeInterval? = nil,
        endpoint override: AWSEndpoint? = nil, acceptStatus: (Int) -> Bool = { (200..<300).contains($0) }
    ) throws -> HTTPResponse {
        let target = override ?? endpoint
        var attempt = 1
        var refreshedCredentials = false
        var correctedSkew = false
        var forceRefresh = false
        var lastRetryCost: Int?
        while true {
            let started = clock.now()
            let request = try signedRequest(
                to: target, method: method, path: path, query: query, headers: headers, body: body, payload: payload,
                timeout: timeout ?? self.timeout, forceRefresh: forceRefresh)
            forceRefresh = false
            let failure: RetryFailure
            let thrown: any Error
            do {
                let response = try transport.send(request)
                let requestId = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
                if acceptStatus(response.status) {
                    quota.withLock { $0.recordSuccess(lastRetryCost: lastRetryCost) }
                    logger.debug(
                        "aws call succeeded",
                        metadata: callMetadata(
                            operation, attempt, started, status: response.status, requestId: requestId))
                    return response
                }
                let error = AWSErrorDecoder.decode(
                    response, protocol: service.wireProtocol, service: service.signingName, operation: operation)
                if error.isExpiredCredentials, !refreshedCredentials, case .sigV4 = authentication {
                    // Expired credentials are the provider's business: fetch new ones and try once more.
                    refreshedCredentials = true
                    forceRefresh = true
                    logger.debug(
                        "aws credentials expired; refreshing", metadata: callMetadata(operation, attempt, started))
                    continue
                }
                if !correctedSkew, case .sigV4 = authentication,
                    let offset = ClockSkew.correction(
                        for: error, responseDate: response.headers["Date"], localNow: clock.now())
                {
                    // Re-signing with the same wrong clock cannot help: adopt AWS's time and try once more.
                    correctedSkew = true
                    clockOffset.withLock { $0 = offset }
                    var metadata = callMetadata(operation, attempt, started)
                    metadata["aws.error"] = "\(error)"
                    metadata["clock.offset_s"] = "\(Int(offset.rounded()))"
                    logger.warning("local clock differs from AWS; correcting and re-signing", metadata: metadata)
                    continue
                }
                failure = .service(code: error.code, httpStatus: error.httpStatus)
                thrown = error
            } catch let error as TransportError {
                failure = .transport(error.kind)
                thrown = error
            }
            let decision = quota.withLock { quota in
                policy.decide(after: failure, attempt: attempt, quota: &quota, random: random())
            }
            switch decision {
            case .retry(let delay, let cost):
                var metadata = callMetadata(operation, attempt, started)
                metadata["aws.error"] = "\(thrown)"
                metadata["retry.delay_ms"] = "\(Int(delay * 1000))"
                logger.debug("aws call failed; retrying", metadata: metadata)
                lastRetryCost = cost
                sleep(delay)
                attempt += 1
            case .giveUp(let reason):
                var metadata = callMetadata(operation, attempt, started)
                metadata["aws.error"] = "\(thrown)"
                metadata["retry.outcome"] = "\(reason)"
                logger.debug("aws call failed", metadata: metadata)
                throw thrown
            }
        }
    }

    private func signedRequest(
        to endpoint: AWSEndpoint, method: String, path: String, query: String, headers: HTTPHeaders, body: [UInt8],
        payload: SigV4Request.Payload?, timeout: TimeInterval, forceRefresh: Bool
    ) throws -> HTTPRequest {
        var headers = headers
        headers.set("Host", endpoint.hostHeader)
        // libcurl sets Content-Length from the body size; like botocore, it is not signed.
        let fullPath = endpoint.basePath + path
        switch authentication {
        case .none:
            break
        case .sigV4(let provider):
            let credentials = try provider.credentials(forceRefresh: forceRefresh)
            let signer = SigV4Signer(credentials: credentials, region: region, signingName: service.signingName)
            let signature = try signer.sign(
                SigV4Request(
                    method: method, path: fullPath, query: query, headers: headers,
                    payload: payload ?? .bytes(body)),
                at: signingTime())
            headers = signature.headers
        }
        headers.set("User-Agent", "triaged/\(TriagedVersion.current)")
        return HTTPRequest(
            method: method,
            url: "\(endpoint.scheme)://\(endpoint.hostHeader)\(fullPath)" + (query.isEmpty ? "" : "?\(query)"),
            headers: headers, body: body, timeout: timeout)
    }

    /// A presigned URL for `method` on `path` (wire-encoded) valid for `expires` seconds (1…604800),
    /// signed with the current credentials.
    public func presignedURL(
        method: String = "GET", path: String, query: String = "", expires: Int, endpoint override: AWSEndpoint? = nil
    ) throws -> String {
        try presignedURLCapped(method: method, path: path, query: query, expires: expires, endpoint: override).url
    }

    /// A presigned URL that never outlives the temporary credentials signing it: AWS refuses a
    /// presigned request once its session token has expired, whatever `X-Amz-Expires` says, so the
    /// lifetime is cut to the credentials' remaining time. Returns the URL and the seconds it is valid.
    public func presignedURLCapped(
        method: String = "GET", path: String, query: String = "", expires: Int, endpoint override: AWSEndpoint? = nil
    ) throws -> (url: String, expires: Int) {
        guard case .sigV4(let provider) = authentication else {
            preconditionFailure("presigning needs SigV4 credentials")
        }
        let target = override ?? endpoint
        let credentials = try provider.credentials(forceRefresh: false)
        var expires = expires
        if let expiration = credentials.expiration {
            let remaining = Int(expiration.timeIntervalSince(signingTime()).rounded(.down))
            expires = min(expires, max(1, remaining))
        }
        let signer = SigV4Signer(credentials: credentials, region: region, signingName: service.signingName)
        let fullPath = target.basePath + path
        let signature = try signer.presign(
            SigV4Request(
                method: method, path: fullPath, query: query, headers: ["Host": target.hostHeader], payload: .unsigned),
            at: signingTime(), expires: expires)
        return ("\(target.scheme)://\(target.hostHeader)\(fullPath)?\(signature.query)", expires)
    }

    private func callMetadata(
        _ operation: String, _ attempt: Int, _ started: Date, status: Int? = nil, requestId: String? = nil
    ) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "aws.service": "\(service.id)", "aws.operation": "\(operation)", "aws.attempt": "\(attempt)",
            "duration_ms": "\(Int(clock.now().timeIntervalSince(started) * 1000))",
        ]
        if let status { metadata["http.status"] = "\(status)" }
        if let requestId { metadata["aws.request_id"] = "\(requestId)" }
        return metadata
    }
}

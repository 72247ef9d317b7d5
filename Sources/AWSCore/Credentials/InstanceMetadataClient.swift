import Foundation
import Synchronization

/// EC2 instance metadata over IMDSv2: a session token is PUT first and cached until shortly before
/// its TTL ends. `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or `_ENDPOINT_MODE=IPv6`) moves the address,
/// `AWS_EC2_METADATA_DISABLED=true` turns it off, `AWS_EC2_METADATA_V1_DISABLED=true` forbids the
/// token-less (IMDSv1) fallback. As in botocore, the fallback follows a refused token PUT
/// (403/404/405) and a token PUT that timed out — what a container behind one extra network hop
/// sees when the instance's `HttpPutResponseHopLimit` is 1: the answer never arrives.
public final class InstanceMetadataClient: Sendable {
    /// An instance-metadata failure in one sentence.
    public struct MetadataError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The base URL, e.g. `http://169.254.169.254`.
    public let endpoint: String
    /// Whether IMDS use is switched off.
    public let isDisabled: Bool
    private let v1Disabled: Bool
    private let timeout: TimeInterval
    private let attempts: Int
    private let transport: any HTTPTransport
    private let clock: any WallClock
    private let cachedToken = Mutex<(value: String?, validUntil: Date)?>(nil)

    /// Token lifetime asked for (seconds), as botocore does.
    static let tokenTTL = 21_600

    public init(environment: [String: String], transport: any HTTPTransport, clock: any WallClock = SystemWallClock()) {
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? ""
        if base.isEmpty {
            base =
                environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6"
                ? "http://[fd00:ec2::254]" : "http://169.254.169.254"
        }
        while base.hasSuffix("/") { base.removeLast() }
        endpoint = base
        isDisabled = environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
        v1Disabled = environment["AWS_EC2_METADATA_V1_DISABLED"]?.lowercased() == "true"
        timeout = environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap(Double.init) ?? 1
        attempts = max(1, environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"].flatMap(Int.init) ?? 1)
        self.transport = transport
        self.clock = clock
    }

    /// GETs a metadata path such as `/latest/meta-data/placement/region` and returns the body text.
    public func get(_ path: String) throws -> String {
        guard !isDisabled else {
            throw MetadataError(description: "instance metadata is disabled (AWS_EC2_METADATA_DISABLED)")
        }
        var lastError = MetadataError(description: "no attempt made")
        for _ in 0..<attempts {
            do {
                return try getOnce(path, retryOnUnauthorized: true)
            } catch let error as MetadataError {
                lastError = error
            }
        }
        throw lastError
    }

    private func getOnce(_ path: String, retryOnUnauthorized: Bool) throws -> String {
        var headers: HTTPHeaders = [:]
        if let token = try sessionToken() {
            headers.add("X-aws-ec2-metadata-token", token)
        }
        let response = try exchange(HTTPRequest(method: "GET", url: endpoint + path, headers: headers))
        if response.status == 401 && retryOnUnauthorized {
            // The token expired or the instance was restarted: get a new one once.
            cachedToken.withLock { $0 = nil }
            return try getOnce(path, retryOnUnauthorized: false)
        }
        guard response.isSuccess else {
            throw MetadataError(description: "instance metadata \(path) answered HTTP \(response.status)")
        }
        return response.text
    }

    private func sessionToken() throws -> String? {
        let now = clock.now()
        if let cached = cachedToken.withLock({ $0 }), cached.validUntil > now {
            return cached.value
        }
        let response: HTTPResponse
        do {
            response = try exchange(
                HTTPRequest(
                    method: "PUT", url: endpoint + "/latest/api/token",
                    headers: ["X-aws-ec2-metadata-token-ttl-seconds": String(Self.tokenTTL)]),
                mapErrors: false)
        } catch let error as TransportError where error.kind == .timeout {
            guard !v1Disabled else {
                throw MetadataError(
                    description:
                        "instance metadata token request timed out (in a container this usually means the instance's "
                        + "HttpPutResponseHopLimit is 1; set it to 2) and IMDSv1 is disabled")
            }
            cachedToken.withLock { $0 = (nil, now.addingTimeInterval(Double(Self.tokenTTL - 60))) }
            return nil
        } catch let error as TransportError {
            throw MetadataError(description: "instance metadata at \(endpoint) unreachable: \(error.message)")
        }
        let token: String?
        switch response.status {
        case 200:
            token = response.text.trimmingWhitespace()
        case 403, 404, 405:
            // This host refuses IMDSv2 tokens: fall back to IMDSv1 unless that is forbidden.
            guard !v1Disabled else {
                throw MetadataError(
                    description: "instance metadata refused a token (HTTP \(response.status)) and IMDSv1 is disabled")
            }
            token = nil
        default:
            throw MetadataError(description: "instance metadata token request answered HTTP \(response.status)")
        }
        cachedToken.withLock { $0 = (token, now.addingTimeInterval(Double(Self.tokenTTL - 60))) }
        return token
    }

    private func exchange(_ request: HTTPRequest, mapErrors: Bool = true) throws -> HTTPResponse {
        var request = request
        request.connectTimeout = timeout
        request.timeout = timeout
        request.maxResponseBytes = 1 << 20
        do {
            return try transport.send(request)
        } catch let error as TransportError where mapErrors {
            throw MetadataError(description: "instance metadata at \(endpoint) unreachable: \(error.message)")
        }
    }
}

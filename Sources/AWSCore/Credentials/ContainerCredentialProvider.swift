import AWSSigning
import Foundation

/// ECS task-role and EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read each time) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
public struct ContainerCredentialProvider: CredentialProvider {
    public let name = "ecs-container"
    private let url: String
    private let tokenFile: String?
    private let token: String?
    private let transport: any HTTPTransport
    private let sleep: @Sendable (TimeInterval) -> Void

    /// Hosts a plain-http full URI may name (botocore `ContainerMetadataFetcher._ALLOWED_HOSTS`).
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    public init(
        environment: [String: String], transport: any HTTPTransport,
        sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws {
        let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] ?? ""
        let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] ?? ""
        if !relative.isEmpty {
            // The relative URI takes precedence when both are set.
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if !full.isEmpty {
            let endpoint: AWSEndpoint
            do {
                endpoint = try AWSEndpoint(parsing: full)
            } catch {
                throw CredentialsError.invalid("ecs-container", "AWS_CONTAINER_CREDENTIALS_FULL_URI: \(error)")
            }
            guard endpoint.scheme == "https" || Self.isAllowedHTTPHost(endpoint.host) else {
                throw CredentialsError.invalid(
                    "ecs-container",
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23"
                )
            }
            url = full
        } else {
            throw CredentialsError.notConfigured("ecs-container", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not set")
        }
        tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        self.transport = transport
        self.sleep = sleep
    }

    static func isAllowedHTTPHost(_ host: String) -> Bool {
        allowedHTTPHosts.contains(host) || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let authorization = try authorizationToken() {
            headers.add("Authorization", authorization)
        }
        var lastError = "no attempt made"
        // botocore: 2 s timeout, up to 3 attempts with 1 s between them.
        for attempt in 1...3 {
            do {
                let response = try transport.send(
                    HTTPRequest(
                        method: "GET", url: url, headers: headers, connectTimeout: 2, timeout: 2,
                        maxResponseBytes: 1 << 20))
                if response.isSuccess {
                    return try CredentialDocument.credentials(from: response.body, provider: name)
                }
                lastError = "HTTP \(response.status) from \(url): \(response.text.prefix(200))"
                if response.status < 500 { break }
            } catch let error as TransportError {
                lastError = error.description
            }
            if attempt < 3 { sleep(1) }
        }
        throw CredentialsError.fetchFailed(name, lastError)
    }

    private func authorizationToken() throws -> String? {
        var value = token
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CredentialsError.invalid(name, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            value = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        }
        if let value, value.contains("\r") || value.contains("\n") {
            throw CredentialsError.invalid(name, "the container authorization token contains a line break")
        }
        return value
    }
}

/// Where each service's requests go. The most specific setting wins — a per-service endpoint from
/// configuration (`aws.endpoints`) or `AWS_ENDPOINT_URL_<SERVICE>` beats a generic one — and at equal
/// specificity the configuration file beats the environment. Otherwise the regional AWS hostname.
public struct EndpointResolver: Sendable {
    /// A resolved endpoint and where it came from (for `triaged check` and logs).
    public struct Resolution: Sendable, Equatable {
        public let endpoint: AWSEndpoint
        public let source: String
    }

    /// Why an endpoint cannot be used.
    public struct ResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private let region: String
    private let configEndpointURL: String?
    private let configEndpoints: [String: String]
    private let environment: [String: String]
    private let allowHTTP: Bool

    public init(
        region: String, configEndpointURL: String? = nil, configEndpoints: [String: String] = [:],
        environment: [String: String] = [:], allowHTTP: Bool = false
    ) {
        self.region = region
        self.configEndpointURL = configEndpointURL
        self.configEndpoints = configEndpoints
        self.environment = environment
        self.allowHTTP = allowHTTP
    }

    /// The endpoint for `service`, or an error naming the setting that is unusable.
    public func resolve(_ service: AWSService) throws -> Resolution {
        let ignoreConfigured = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        var candidates: [(url: String, source: String)] = []
        if let (key, url) = configEndpoints.first(where: { AWSService.named($0.key) == service }) {
            candidates.append((url, "aws.endpoints.\(key)"))
        }
        let serviceVariable = "AWS_ENDPOINT_URL_\(service.environmentSuffix)"
        if !ignoreConfigured, let url = environment[serviceVariable], !url.isEmpty {
            candidates.append((url, serviceVariable))
        }
        if let url = configEndpointURL, !url.isEmpty {
            candidates.append((url, "aws.endpoint_url"))
        }
        if !ignoreConfigured, let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty {
            candidates.append((url, "AWS_ENDPOINT_URL"))
        }
        if let chosen = candidates.first {
            let endpoint: AWSEndpoint
            do {
                endpoint = try AWSEndpoint(parsing: chosen.url)
            } catch let error as AWSEndpoint.ParseError {
                throw ResolutionError(description: "\(chosen.source): \(error)")
            }
            if endpoint.scheme == "http" && !allowHTTP {
                throw ResolutionError(
                    description:
                        "\(chosen.source): plain-http endpoint \(chosen.url) refused; set aws.allow_http: true only for local emulators"
                )
            }
            return Resolution(endpoint: endpoint, source: chosen.source)
        }
        return Resolution(endpoint: Self.defaultEndpoint(service, region: region), source: "regional default")
    }

    /// `https://<prefix>.<region>.amazonaws.com` (`.com.cn` in China regions).
    public static func defaultEndpoint(_ service: AWSService, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)")
    }
}

/// Where each service's requests go. The most specific setting wins — a per-service endpoint from
/// configuration (`aws.endpoints`) or `AWS_ENDPOINT_URL_<SERVICE>` beats a generic one — and at equal
/// specificity the configuration file beats the environment, and a configured endpoint serves every
/// region. Otherwise the AWS hostname of the region asked for, in that region's partition
/// (`AWSPartition`), in its FIPS and/or dual-stack form when `AWS_USE_FIPS_ENDPOINT` /
/// `AWS_USE_DUALSTACK_ENDPOINT` (or the profile's `use_fips_endpoint` / `use_dualstack_endpoint`)
/// say `true`.
public struct EndpointResolver: Sendable {
    /// A resolved endpoint and where it came from (for `triaged check` and logs).
    public struct Resolution: Sendable, Equatable {
        public let endpoint: AWSEndpoint
        public let source: String
        /// Whether this is AWS's own hostname (not a configured URL), so S3 may address buckets
        /// virtual-hosted on it.
        public var isDefault: Bool { source == EndpointResolver.defaultSource }

        public init(endpoint: AWSEndpoint, source: String) {
            self.endpoint = endpoint
            self.source = source
        }
    }

    /// The `source` of an AWS hostname.
    public static let defaultSource = "regional default"

    /// Which form of AWS's hostname to use (botocore's `use_fips_endpoint`, `use_dualstack_endpoint`).
    public struct Variant: Sendable, Equatable {
        /// FIPS 140 endpoints: `<prefix>-fips.<region>.…`.
        public var fips: Bool
        /// Dual-stack (IPv4 and IPv6) endpoints on the partition's dual-stack suffix.
        public var dualStack: Bool

        public init(fips: Bool = false, dualStack: Bool = false) {
            self.fips = fips
            self.dualStack = dualStack
        }

        /// The environment variable wins over the profile setting; `true` in any case enables,
        /// anything else disables (botocore's `ensure_boolean`).
        public static func from(environment: [String: String], profile: [String: String]? = nil) -> Variant {
            func flag(_ variable: String, _ key: String) -> Bool {
                (environment[variable] ?? profile?[key])?.trimmingWhitespace().lowercased() == "true"
            }
            return Variant(
                fips: flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
                dualStack: flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
        }
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
    /// The hostname form used for AWS's own endpoints.
    public let variant: Variant

    /// `variant` defaults to what `environment` says (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`).
    public init(
        region: String, configEndpointURL: String? = nil, configEndpoints: [String: String] = [:],
        environment: [String: String] = [:], allowHTTP: Bool = false, variant: Variant? = nil
    ) {
        self.region = region
        self.configEndpointURL = configEndpointURL
        self.configEndpoints = configEndpoints
        self.environment = environment
        self.allowHTTP = allowHTTP
        self.variant = variant ?? Variant.from(environment: environment)
    }

    /// The endpoint for `service` in `region` (the home region when nil), or an error naming the
    /// setting that is unusable. A configured endpoint is used for every region.
    public func resolve(_ service: AWSService, region: String? = nil) throws -> Resolution {
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
        return Resolution(
            endpoint: Self.defaultEndpoint(service, region: region ?? self.region, variant: variant),
            source: Self.defaultSource)
    }

    /// AWS's hostname for `service` in `region`: `https://<prefix>.<region>.<dnsSuffix>` of the
    /// region's partition; FIPS adds `-fips` to the prefix, dual-stack uses the partition's
    /// dual-stack suffix. S3 has its own forms (`defaultS3Host`).
    public static func defaultEndpoint(_ service: AWSService, region: String, variant: Variant = Variant())
        -> AWSEndpoint
    {
        let partition = AWSPartition.of(region: region)
        if service == .s3 {
            return AWSEndpoint(
                scheme: "https", host: defaultS3Host(region: region, partition: partition, variant: variant))
        }
        let prefix = service.endpointPrefix + (variant.fips ? "-fips" : "")
        let suffix = variant.dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix
        return AWSEndpoint(scheme: "https", host: "\(prefix).\(region).\(suffix)")
    }

    /// S3's hostnames: `s3.<region>.<dnsSuffix>` (the legacy global `s3.amazonaws.com` for
    /// us-east-1, as botocore's default `us_east_1_regional_endpoint = legacy`), `s3-fips.…`, and
    /// dual-stack as `s3[-fips].dualstack.<region>.<dnsSuffix>` — on the ordinary suffix, not the
    /// partition's dual-stack one.
    static func defaultS3Host(region: String, partition: AWSPartition, variant: Variant) -> String {
        let prefix = variant.fips ? "s3-fips" : "s3"
        if variant.dualStack { return "\(prefix).dualstack.\(region).\(partition.dnsSuffix)" }
        if !variant.fips && (region == "us-east-1" || region == "aws-global") { return "s3.amazonaws.com" }
        return "\(prefix).\(region).\(partition.dnsSuffix)"
    }

    /// The shape of the regional defaults for `triaged check`, e.g. `https://<service>.eu-west-1.amazonaws.com/`.
    public func defaultPattern(region: String? = nil) -> String {
        let region = region ?? self.region
        let partition = AWSPartition.of(region: region)
        let suffix = variant.dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix
        return "https://<service>\(variant.fips ? "-fips" : "").\(region).\(suffix)/"
    }
}

/// The `aws` section of triaged's configuration, as AWSCore needs it. Values left `nil` fall back
/// to the standard AWS environment variables and shared files.
public struct AWSSettings: Sendable, Equatable {
    /// Region; else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, instance metadata.
    public var region: String?
    /// Profile of the shared files; else `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `default`.
    public var profile: String?
    /// Endpoint for every service; else `AWS_ENDPOINT_URL`.
    public var endpointURL: String?
    /// Per-service endpoints keyed by service (`bedrock-runtime`, `sqs`, …).
    public var endpoints: [String: String]
    /// Whether plain-http endpoints are allowed (local emulators only).
    public var allowHTTP: Bool

    public init(
        region: String? = nil, profile: String? = nil, endpointURL: String? = nil, endpoints: [String: String] = [:],
        allowHTTP: Bool = false
    ) {
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
        self.endpoints = endpoints
        self.allowHTTP = allowHTTP
    }
}

import Foundation
import Logging

/// Everything resolved once at start-up that every AWS client shares: region, credentials chain,
/// endpoints and the HTTP transport. Built from the configuration's `aws` section and the process
/// environment (passed in; nothing deeper reads it).
public struct AWSContext: Sendable {
    /// The signing region and where it came from.
    public let region: String
    public let regionSource: String
    /// The profile in use and whether it was named explicitly.
    public let profile: String
    /// The credential chain (cached and refreshed).
    public let credentials: any CredentialProvider
    /// Endpoint resolution for every service.
    public let endpoints: EndpointResolver
    /// The shared HTTP transport.
    public let transport: any HTTPTransport
    public let clock: any WallClock
    public let logger: Logger

    /// A configuration problem that stops start-up (no region, bad endpoint, unreadable files).
    public struct ResolutionError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Resolves region, profile, endpoints and the default credential chain: environment keys →
    /// environment web identity → shared-file profile → container endpoint → instance metadata.
    public static func resolve(
        settings: AWSSettings, environment: [String: String], transport: any HTTPTransport = CurlTransport(),
        clock: any WallClock = SystemWallClock(), logger: Logger = Logger(label: "triaged.aws")
    ) throws -> AWSContext {
        let files: SharedConfigFiles
        do {
            files = try SharedConfigFiles.load(environment: environment)
        } catch {
            throw ResolutionError(description: "\(error)")
        }
        let explicitProfile = settings.profile ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]
        let profile = explicitProfile.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let metadata = InstanceMetadataClient(environment: environment, transport: transport, clock: clock)

        let (region, regionSource) = try resolveRegion(
            settings: settings, environment: environment, profileSettings: files.configSection(profile),
            metadata: metadata)
        let endpoints = EndpointResolver(
            region: region, configEndpointURL: settings.endpointURL, configEndpoints: settings.endpoints,
            environment: environment, allowHTTP: settings.allowHTTP,
            variant: .from(environment: environment, profile: files.configSection(profile)))

        // STS for web identity is called unsigned, so it needs no credentials of its own.
        let stsEndpoint = try endpoints.resolveOrExplain(.sts)
        let sts = AWSClient(
            service: .sts, region: region, endpoint: stsEndpoint, authentication: .none, transport: transport,
            clock: clock, logger: logger)
        // As in botocore, a profile named in the configuration (not by AWS_PROFILE) negates the
        // environment keys, so `credential_source = Environment` in it uses them as its source.
        var providers: [any CredentialProvider] =
            settings.profile.map { $0.isEmpty } ?? true ? [EnvironmentCredentialProvider(environment: environment)] : []
        providers.append(
            LazyProvider(name: "web-identity") {
                try WebIdentityCredentialProvider.fromEnvironment(environment, sts: sts, clock: clock)
            })
        let sessionName = RoleSessionName.forProcess(environment: environment)
        let roles = ProfileRoleResolver(
            assume: { source, role in
                AssumeRoleCredentialProvider(
                    roleArn: role.roleArn, sessionName: role.sessionName ?? sessionName, externalId: role.externalId,
                    durationSeconds: role.durationSeconds ?? AssumeRoleCredentialProvider.defaultDuration,
                    sts: AWSClient(
                        service: .sts, region: region, endpoint: stsEndpoint, authentication: .sigV4(source),
                        transport: transport, clock: clock, logger: logger))
            },
            credentialSource: { name in
                switch name {
                case "Environment": return EnvironmentCredentialProvider(environment: environment)
                case "Ec2InstanceMetadata": return InstanceMetadataCredentialProvider(client: metadata)
                case "EcsContainer":
                    return LazyProvider(name: "ecs-container") {
                        try ContainerCredentialProvider(environment: environment, transport: transport)
                    }
                default: return nil
                }
            })
        providers.append(
            ProfileCredentialProvider(profile: profile, explicit: explicitProfile != nil, files: files, roles: roles) {
                tokenFile, roleArn, sessionName in
                WebIdentityCredentialProvider(
                    tokenFile: tokenFile, roleArn: roleArn, sessionName: sessionName, sts: sts, clock: clock)
            })
        providers.append(
            LazyProvider(name: "ecs-container") {
                try ContainerCredentialProvider(environment: environment, transport: transport)
            })
        providers.append(InstanceMetadataCredentialProvider(client: metadata))
        let chain = RefreshingCredentialProvider(CredentialChain(providers), clock: clock)
        return AWSContext(
            region: region, regionSource: regionSource, profile: profile, credentials: chain, endpoints: endpoints,
            transport: transport, clock: clock, logger: logger, sessionName: sessionName)
    }

    /// The `RoleSessionName` of roles triaged assumes itself (`triaged-<host>`, see `RoleSessionName`).
    public var sessionName: String = "triaged"

    /// This context with other credentials: same endpoints, transport and clock (an assumed role).
    public func withCredentials(_ credentials: any CredentialProvider) -> AWSContext {
        AWSContext(
            region: region, regionSource: regionSource, profile: profile, credentials: credentials,
            endpoints: endpoints, transport: transport, clock: clock, logger: logger, sessionName: sessionName)
    }

    /// This context acting as `roleArn`: sts:AssumeRole signed with this context's credentials (in
    /// its own region), the session cached and refreshed from 5 minutes before it expires, one
    /// refresh at a time. Nothing is called until the first request.
    public func assumingRole(roleArn: String, externalId: String?, durationSeconds: Int) throws -> AWSContext {
        let provider = AssumeRoleCredentialProvider(
            roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds,
            sts: try client(for: .sts))
        return withCredentials(
            RefreshingCredentialProvider(
                provider, clock: clock, windows: RefreshingCredentialProvider.assumedRoleWindows))
    }

    /// Region precedence: configuration, `AWS_REGION`, `AWS_DEFAULT_REGION`, profile `region`,
    /// instance metadata `placement/region`.
    static func resolveRegion(
        settings: AWSSettings, environment: [String: String], profileSettings: [String: String]?,
        metadata: InstanceMetadataClient
    ) throws -> (String, String) {
        if let region = settings.region, !region.isEmpty { return (region, "configuration aws.region") }
        if let region = environment["AWS_REGION"], !region.isEmpty { return (region, "AWS_REGION") }
        if let region = environment["AWS_DEFAULT_REGION"], !region.isEmpty { return (region, "AWS_DEFAULT_REGION") }
        if let region = profileSettings?["region"], !region.isEmpty { return (region, "profile region") }
        if !metadata.isDisabled,
            let region = try? metadata.get("/latest/meta-data/placement/region").trimmingWhitespace(),
            !region.isEmpty
        {
            return (region, "instance metadata")
        }
        throw ResolutionError(
            description:
                "no AWS region: set aws.region in the configuration, AWS_REGION, or a region in the profile")
    }

    /// A client for `service` in `region` (the home region when nil), signed with this context's
    /// credentials: it signs for that region and sends to that region's endpoint (a configured
    /// endpoint URL serves every region, still signed for the region asked for).
    public func client(
        for service: AWSService, region: String? = nil, timeout: TimeInterval = 30, policy: RetryPolicy = RetryPolicy(),
        logger: Logger? = nil
    ) throws -> AWSClient {
        let region = region ?? self.region
        let endpoint = try endpoints.resolveOrExplain(service, region: region)
        return AWSClient(
            service: service, region: region, endpoint: endpoint, authentication: .sigV4(credentials),
            transport: transport, policy: policy, timeout: timeout, clock: clock, logger: logger ?? self.logger)
    }
}

extension EndpointResolver {
    func resolveOrExplain(_ service: AWSService, region: String? = nil) throws -> AWSEndpoint {
        do {
            return try resolve(service, region: region).endpoint
        } catch {
            throw AWSContext.ResolutionError(description: "\(error)")
        }
    }
}

/// Builds a provider on first use, so a provider whose settings are absent reports `notConfigured`
/// at credential time like the rest of the chain.
struct LazyProvider: CredentialProvider {
    let name: String
    let make: @Sendable () throws -> any CredentialProvider

    func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        try make().credentials(forceRefresh: forceRefresh)
    }
}

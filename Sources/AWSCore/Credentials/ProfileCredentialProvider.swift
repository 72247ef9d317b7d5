import AWSSigning

/// What a `role_arn` profile asks STS for (`role_arn`, `external_id`, `role_session_name`,
/// `duration_seconds`).
public struct ProfileRole: Sendable, Equatable {
    public let profile: String
    public let roleArn: String
    public let externalId: String?
    public let sessionName: String?
    public let durationSeconds: Int?
}

/// How a `role_arn` profile's role is assumed: `assume` turns source credentials and the role into
/// a provider (sts:AssumeRole signed with the source), `credentialSource` gives the provider a
/// `credential_source` names (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`).
public struct ProfileRoleResolver: Sendable {
    public let assume: @Sendable (_ source: any CredentialProvider, _ role: ProfileRole) -> any CredentialProvider
    public let credentialSource: @Sendable (_ name: String) -> (any CredentialProvider)?

    public init(
        assume: @escaping @Sendable (any CredentialProvider, ProfileRole) -> any CredentialProvider,
        credentialSource: @escaping @Sendable (String) -> (any CredentialProvider)?
    ) {
        self.assume = assume
        self.credentialSource = credentialSource
    }
}

/// Credentials of a named profile in the shared files: static keys (credentials file first, then
/// config file), a web-identity role (`role_arn` + `web_identity_token_file`), or, with a
/// `ProfileRoleResolver`, a role assumed as the AWS SDKs do it: `role_arn` with `source_profile`
/// (which may itself be a role profile: chains are followed, a loop is an error naming it) or
/// `credential_source`. A profile whose `source_profile` is itself uses its own static keys as the
/// source. `credential_process` and IAM Identity Center (SSO) stay refused by name.
public struct ProfileCredentialProvider: CredentialProvider {
    public var name: String { "profile \(profile)" }
    private let profile: String
    private let explicit: Bool
    private let files: SharedConfigFiles
    private let webIdentity:
        @Sendable (_ tokenFile: String, _ roleArn: String, _ sessionName: String?) -> any CredentialProvider
    private let roles: ProfileRoleResolver?

    /// `explicit` says the profile was named (configuration or `AWS_PROFILE`), so its absence is an
    /// error rather than a reason to try the next provider. Without `roles`, role profiles that
    /// need sts:AssumeRole are refused.
    public init(
        profile: String, explicit: Bool, files: SharedConfigFiles, roles: ProfileRoleResolver? = nil,
        webIdentity: @escaping @Sendable (String, String, String?) -> any CredentialProvider
    ) {
        self.profile = profile
        self.explicit = explicit
        self.files = files
        self.roles = roles
        self.webIdentity = webIdentity
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        guard files.credentialsSection(profile) != nil || files.configSection(profile) != nil else {
            let reason = "profile '\(profile)' is in neither \(files.credentialsPath) nor \(files.configPath)"
            throw explicit ? CredentialsError.invalid(name, reason) : CredentialsError.notConfigured(name, reason)
        }
        return try provider(for: profile, chain: []).credentials(forceRefresh: forceRefresh)
    }

    /// The provider for `profile`, reached through the profiles of `chain` (outermost first).
    private func provider(for profile: String, chain: [String]) throws -> any CredentialProvider {
        let fromCredentials = files.credentialsSection(profile)
        let fromConfig = files.configSection(profile)
        guard fromCredentials != nil || fromConfig != nil else {
            throw CredentialsError.invalid(
                name,
                "source_profile '\(profile)' (from '\(chain.last ?? self.profile)') is in neither "
                    + "\(files.credentialsPath) nor \(files.configPath)")
        }
        // Role settings may sit in either file; the credentials file wins, as in botocore.
        let settings = (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
        let roleArn = settings["role_arn"].flatMap { $0.isEmpty ? nil : $0 }
        // As in botocore, role_arn wins over static keys in the same profile: those keys are only
        // the source when the profile names itself as source_profile.
        if roleArn == nil, let keys = try staticKeys(profile) {
            return StaticCredentialProvider(keys, name: "profile \(profile)")
        }
        guard let roleArn else {
            if settings["credential_process"] != nil {
                throw CredentialsError.invalid(name, "credential_process (profile '\(profile)') is not supported")
            }
            if settings["sso_session"] != nil || settings["sso_start_url"] != nil {
                throw CredentialsError.invalid(
                    name, "IAM Identity Center (SSO) profiles are not supported on servers (profile '\(profile)')")
            }
            if chain.isEmpty { throw CredentialsError.notConfigured(name, "profile '\(profile)' holds no credentials") }
            throw CredentialsError.invalid(
                name, "source_profile '\(profile)' holds no credentials (static keys or role_arn)")
        }
        let sourceProfile = settings["source_profile"].flatMap { $0.isEmpty ? nil : $0 }
        let credentialSource = settings["credential_source"].flatMap { $0.isEmpty ? nil : $0 }
        if sourceProfile == nil && credentialSource == nil {
            if let tokenFile = settings["web_identity_token_file"], !tokenFile.isEmpty {
                return webIdentity(tokenFile, roleArn, settings["role_session_name"])
            }
            throw CredentialsError.invalid(
                name, "profile '\(profile)' has role_arn but neither source_profile nor credential_source")
        }
        guard let roles else {
            throw CredentialsError.invalid(
                name,
                "role_arn with source_profile or credential_source (sts:AssumeRole chaining) is not supported; "
                    + "use static keys, web_identity_token_file, the container role or the instance role")
        }
        if sourceProfile != nil && credentialSource != nil {
            throw CredentialsError.invalid(
                name, "profile '\(profile)' has both source_profile and credential_source; keep one")
        }
        let role = ProfileRole(
            profile: profile, roleArn: roleArn, externalId: settings["external_id"].flatMap { $0.isEmpty ? nil : $0 },
            sessionName: settings["role_session_name"].flatMap { $0.isEmpty ? nil : $0 },
            durationSeconds: try duration(settings["duration_seconds"], profile: profile))
        let source: any CredentialProvider
        if let credentialSource {
            guard let provider = roles.credentialSource(credentialSource) else {
                throw CredentialsError.invalid(
                    name,
                    "credential_source '\(credentialSource)' (profile '\(profile)') is not one of Environment, "
                        + "Ec2InstanceMetadata, EcsContainer")
            }
            source = provider
        } else if let sourceProfile, sourceProfile == profile {
            guard let keys = try staticKeys(profile) else {
                throw CredentialsError.invalid(
                    name, "profile '\(profile)' is its own source_profile but holds no static keys")
            }
            source = StaticCredentialProvider(keys, name: "profile \(profile)")
        } else if let sourceProfile {
            let path = chain + [profile]
            if path.contains(sourceProfile) {
                throw CredentialsError.invalid(
                    name, "source_profile chain loops: " + (path + [sourceProfile]).joined(separator: " → "))
            }
            source = try provider(for: sourceProfile, chain: path)
        } else {
            preconditionFailure("one of source_profile and credential_source is set")
        }
        return roles.assume(source, role)
    }

    /// Static keys of `profile`: the credentials file first, then the config file.
    private func staticKeys(_ profile: String) throws -> AWSCredentials? {
        let sections = [
            (files.credentialsSection(profile), files.credentialsPath),
            (files.configSection(profile), files.configPath),
        ]
        for (section, path) in sections {
            guard let section else { continue }
            let keyId = section["aws_access_key_id"] ?? ""
            let secret = section["aws_secret_access_key"] ?? ""
            if keyId.isEmpty && secret.isEmpty { continue }
            guard !keyId.isEmpty, !secret.isEmpty else {
                throw CredentialsError.invalid(
                    name, "\(path) has only one of aws_access_key_id and aws_secret_access_key for '\(profile)'")
            }
            return AWSCredentials(
                accessKeyId: keyId, secretAccessKey: secret,
                sessionToken: section["aws_session_token"] ?? section["aws_security_token"])
        }
        return nil
    }

    private func duration(_ text: String?, profile: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let seconds = Int(text), AssumeRoleCredentialProvider.durationRange.contains(seconds) else {
            throw CredentialsError.invalid(
                name, "duration_seconds '\(text)' (profile '\(profile)') is not a whole number from 900 to 43200")
        }
        return seconds
    }
}

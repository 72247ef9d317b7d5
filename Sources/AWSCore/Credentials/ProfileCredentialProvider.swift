import AWSSigning

/// Credentials of a named profile in the shared files: static keys (credentials file first, then
/// config file), or a web-identity role (`role_arn` + `web_identity_token_file`).
public struct ProfileCredentialProvider: CredentialProvider {
    public var name: String { "profile \(profile)" }
    private let profile: String
    private let explicit: Bool
    private let files: SharedConfigFiles
    private let webIdentity:
        @Sendable (_ tokenFile: String, _ roleArn: String, _ sessionName: String?) -> any CredentialProvider

    /// `explicit` says the profile was named (configuration or `AWS_PROFILE`), so its absence is an
    /// error rather than a reason to try the next provider.
    public init(
        profile: String, explicit: Bool, files: SharedConfigFiles,
        webIdentity: @escaping @Sendable (String, String, String?) -> any CredentialProvider
    ) {
        self.profile = profile
        self.explicit = explicit
        self.files = files
        self.webIdentity = webIdentity
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        let fromCredentials = files.credentialsSection(profile)
        let fromConfig = files.configSection(profile)
        guard fromCredentials != nil || fromConfig != nil else {
            let reason = "profile '\(profile)' is in neither \(files.credentialsPath) nor \(files.configPath)"
            throw explicit ? CredentialsError.invalid(name, reason) : CredentialsError.notConfigured(name, reason)
        }
        for (section, path) in [(fromCredentials, files.credentialsPath), (fromConfig, files.configPath)] {
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
        let settings = fromConfig ?? [:]
        if let roleArn = settings["role_arn"], !roleArn.isEmpty {
            if let tokenFile = settings["web_identity_token_file"], !tokenFile.isEmpty {
                return try webIdentity(tokenFile, roleArn, settings["role_session_name"]).credentials(
                    forceRefresh: forceRefresh)
            }
            throw CredentialsError.invalid(
                name,
                "role_arn with source_profile or credential_source (sts:AssumeRole chaining) is not supported; "
                    + "use static keys, web_identity_token_file, the container role or the instance role")
        }
        if settings["credential_process"] != nil {
            throw CredentialsError.invalid(name, "credential_process is not supported")
        }
        if settings["sso_session"] != nil || settings["sso_start_url"] != nil {
            throw CredentialsError.invalid(name, "IAM Identity Center (SSO) profiles are not supported on servers")
        }
        throw CredentialsError.notConfigured(name, "profile '\(profile)' holds no credentials")
    }
}

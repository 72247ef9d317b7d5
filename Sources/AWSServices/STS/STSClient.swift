import AWSCore

/// Who the credentials belong to, as STS `GetCallerIdentity` reports it.
public struct CallerIdentity: Sendable, Equatable {
    /// The 12-digit account id.
    public let account: String
    /// The principal's ARN, e.g. `arn:aws:sts::123456789012:assumed-role/app/i-0abc`.
    public let arn: String
    /// The unique id of the principal.
    public let userId: String
}

/// AWS Security Token Service (awsQuery, API version 2011-06-15).
public struct STSClient: Sendable {
    private let client: AWSClient

    /// `client` must be an STS client.
    public init(client: AWSClient) {
        precondition(client.service == .sts, "STSClient needs an STS AWSClient")
        self.client = client
    }

    /// `sts:GetCallerIdentity`: needs no IAM permission, so it proves credentials and signing work.
    public func getCallerIdentity() throws -> CallerIdentity {
        let result = try client.query("GetCallerIdentity")
        guard let account = result.string("Account"), let arn = result.string("Arn") else {
            throw AWSResponseError(service: "sts", operation: "GetCallerIdentity", reason: "no Account or Arn element")
        }
        return CallerIdentity(account: account, arn: arn, userId: result.string("UserId") ?? "")
    }

    /// `sts:AssumeRole`, signed with this client's credentials: a session of `roleArn` (the same call
    /// `AssumeRoleCredentialProvider` makes for `aws.accounts` and `role_arn` profiles).
    public func assumeRole(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int = 3600)
        throws -> AWSCredentials
    {
        let parameters = AssumeRoleCredentialProvider.parameters(
            roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: durationSeconds)
        return try AssumeRoleCredentialProvider.credentials(from: client.query("AssumeRole", parameters))
    }

    /// `sts:AssumeRoleWithWebIdentity` (sent unsigned: `client` should use `.none` authentication).
    public func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, token: String, durationSeconds: Int = 3600
    ) throws -> AWSCredentials {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("WebIdentityToken", token)
        parameters.add("DurationSeconds", String(min(max(900, durationSeconds), 43_200)))
        let result = try client.query("AssumeRoleWithWebIdentity", parameters)
        guard let keyId = result.string("Credentials", "AccessKeyId"),
            let secret = result.string("Credentials", "SecretAccessKey"),
            let sessionToken = result.string("Credentials", "SessionToken")
        else {
            throw AWSResponseError(
                service: "sts", operation: "AssumeRoleWithWebIdentity", reason: "no Credentials element")
        }
        return AWSCredentials(
            accessKeyId: keyId, secretAccessKey: secret, sessionToken: sessionToken,
            expiration: result.string("Credentials", "Expiration").flatMap(AWSTimestamp.parse))
    }
}

import AWSSigning
import Foundation

/// A role assumed with an OIDC token (EKS IRSA and the like): reads the token file on every fetch
/// (it rotates) and calls STS `AssumeRoleWithWebIdentity`, which is sent unsigned.
public struct WebIdentityCredentialProvider: CredentialProvider {
    public let name = "web-identity"
    private let tokenFile: String
    private let roleArn: String
    private let sessionName: String
    private let sts: AWSClient
    private let durationSeconds: Int

    /// `sts` must be a client for the STS service with `.none` authentication.
    public init(
        tokenFile: String, roleArn: String, sessionName: String?, sts: AWSClient, clock: any WallClock,
        durationSeconds: Int = 3600
    ) {
        self.tokenFile = tokenFile
        self.roleArn = roleArn
        self.sessionName =
            sessionName.flatMap { $0.isEmpty ? nil : $0 }
            ?? "triaged-\(Int(clock.now().timeIntervalSince1970))"
        self.sts = sts
        self.durationSeconds = durationSeconds
    }

    /// The provider configured by `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`).
    public static func fromEnvironment(
        _ environment: [String: String], sts: AWSClient, clock: any WallClock
    ) throws -> WebIdentityCredentialProvider {
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? ""
        let roleArn = environment["AWS_ROLE_ARN"] ?? ""
        if tokenFile.isEmpty && roleArn.isEmpty {
            throw CredentialsError.notConfigured("web-identity", "AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        }
        guard !tokenFile.isEmpty, !roleArn.isEmpty else {
            throw CredentialsError.invalid(
                "web-identity", "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together")
        }
        return WebIdentityCredentialProvider(
            tokenFile: tokenFile, roleArn: roleArn, sessionName: environment["AWS_ROLE_SESSION_NAME"], sts: sts,
            clock: clock)
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialsError.invalid(name, "cannot read the web identity token file \(tokenFile)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !token.isEmpty else { throw CredentialsError.invalid(name, "the token file \(tokenFile) is empty") }
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("WebIdentityToken", token)
        parameters.add("DurationSeconds", String(durationSeconds))
        let result: XMLNode
        do {
            result = try sts.query("AssumeRoleWithWebIdentity", parameters)
        } catch {
            throw CredentialsError.fetchFailed(name, "sts:AssumeRoleWithWebIdentity for \(roleArn) failed: \(error)")
        }
        guard let keyId = result.string("Credentials", "AccessKeyId"),
            let secret = result.string("Credentials", "SecretAccessKey"),
            let sessionToken = result.string("Credentials", "SessionToken"),
            let expiration = result.string("Credentials", "Expiration").flatMap(AWSTimestamp.parse)
        else {
            throw CredentialsError.fetchFailed(name, "sts:AssumeRoleWithWebIdentity returned no complete credentials")
        }
        return AWSCredentials(
            accessKeyId: keyId, secretAccessKey: secret, sessionToken: sessionToken, expiration: expiration)
    }
}

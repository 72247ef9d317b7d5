import AWSSigning
import Foundation

/// `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, legacy `AWS_SECURITY_TOKEN`,
/// and `AWS_CREDENTIAL_EXPIRATION`), read from the environment given at start-up.
public struct EnvironmentCredentialProvider: CredentialProvider {
    public let name = "environment"
    private let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func credentials(forceRefresh: Bool) throws -> AWSCredentials {
        let keyId = environment["AWS_ACCESS_KEY_ID"] ?? ""
        let secret = environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        if keyId.isEmpty && secret.isEmpty {
            throw CredentialsError.notConfigured(name, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        }
        guard !keyId.isEmpty, !secret.isEmpty else {
            let missing = keyId.isEmpty ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY"
            throw CredentialsError.invalid(name, "\(missing) is not set while its partner is")
        }
        let token = environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"]
        var expiration: Date?
        if let text = environment["AWS_CREDENTIAL_EXPIRATION"], !text.isEmpty {
            guard let date = AWSTimestamp.parse(text) else {
                throw CredentialsError.invalid(name, "AWS_CREDENTIAL_EXPIRATION '\(text)' is not an ISO-8601 time")
            }
            expiration = date
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

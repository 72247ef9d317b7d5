import AWSSigning
import Foundation

/// The JSON credential document served by the ECS container endpoint and EC2 instance metadata:
/// `AccessKeyId`, `SecretAccessKey`, `Token` (not `SessionToken`) and `Expiration`.
struct CredentialDocument: Decodable {
    var AccessKeyId: String?
    var SecretAccessKey: String?
    var Token: String?
    var Expiration: String?
    var Code: String?
    var Message: String?

    /// Decodes `body`, requiring all four credential fields.
    static func credentials(from body: [UInt8], provider: String) throws -> AWSCredentials {
        guard let document = try? JSONDecoder().decode(CredentialDocument.self, from: Data(body)) else {
            throw CredentialsError.fetchFailed(provider, "the credential endpoint returned no JSON document")
        }
        if let code = document.Code, code != "Success" {
            throw CredentialsError.fetchFailed(
                provider, "the credential endpoint said \(code): \(document.Message ?? "")")
        }
        guard let keyId = document.AccessKeyId, !keyId.isEmpty, let secret = document.SecretAccessKey, !secret.isEmpty,
            let token = document.Token, !token.isEmpty
        else {
            throw CredentialsError.fetchFailed(
                provider, "the credential document lacks AccessKeyId, SecretAccessKey or Token")
        }
        guard let expiration = document.Expiration.flatMap(AWSTimestamp.parse) else {
            throw CredentialsError.fetchFailed(provider, "the credential document has no valid Expiration")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}
